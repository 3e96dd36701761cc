/** Single instance and quit handling on their own, against a minimal app double. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance, stopBeforeQuit } from '../../../src-main/electron/app-lifecycle.ts';
import { fakeEvent } from './fake-electron.ts';
import { waitFor } from '../../helpers/wait.ts';

class QuittableApp extends EventEmitter {
  quits = 0;
  lock = true;
  requestSingleInstanceLock() {
    return this.lock;
  }
  quit() {
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quits++;
  }
}

function windowDouble() {
  return {
    minimized: false,
    restored: 0,
    shown: 0,
    focused: 0,
    isMinimized() {
      return this.minimized;
    },
    restore() {
      this.restored++;
    },
    show() {
      this.shown++;
    },
    focus() {
      this.focused++;
    },
  };
}

describe('claimSingleInstance', () => {
  it('reports false and listens to nothing when another instance has the lock', () => {
    const app = new QuittableApp();
    app.lock = false;
    expect(claimSingleInstance(app as never, () => windowDouble() as never)).toBe(false);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('focuses without restoring a window that is not minimized', () => {
    const app = new QuittableApp();
    const win = windowDouble();
    expect(claimSingleInstance(app as never, () => win as never)).toBe(true);
    app.emit('second-instance');
    expect(win).toMatchObject({ restored: 0, shown: 1, focused: 1 });
  });
});

describe('stopBeforeQuit', () => {
  it('still quits when stopping the engine fails, and reports the failure', async () => {
    const app = new QuittableApp();
    const errors: unknown[] = [];
    stopBeforeQuit(
      app as never,
      async () => {
        throw new Error('index locked');
      },
      (err) => errors.push(err),
    );
    app.quit();
    expect(app.quits).toBe(0);
    await waitFor('the real quit', () => app.quits === 1);
    expect(String(errors[0])).toContain('index locked');
  });
});
