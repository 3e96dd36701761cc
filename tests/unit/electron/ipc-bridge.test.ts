/** The main-process IPC pieces on their own: who counts as the app's frame, failures as data, event forwarding. */
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../src-main/api/command-failure.ts';
import type { UiEventName } from '../../../src-main/api/contract.ts';
import { forwardEvents, isAppMainFrame, registerCommandHandlers } from '../../../src-main/electron/ipc-bridge.ts';
import { FakeIpcMain, FakeWebContents } from './fake-electron.ts';

describe('isAppMainFrame', () => {
  const contents = new FakeWebContents(7);
  contents.mainFrame.url = 'app://gateway/index.html';

  it("accepts the window's main frame on the app page", () => {
    expect(isAppMainFrame({ ...contents.mainFrame }, contents)).toBe(true);
  });

  it('refuses a sub-frame, another process, another page, no frame, and a destroyed window', () => {
    expect(isAppMainFrame({ ...contents.mainFrame, routingId: contents.mainFrame.routingId + 1 }, contents)).toBe(false);
    expect(isAppMainFrame({ ...contents.mainFrame, processId: 8 }, contents)).toBe(false);
    expect(isAppMainFrame({ ...contents.mainFrame, url: 'https://evil.example/' }, contents)).toBe(false);
    expect(isAppMainFrame(null, contents)).toBe(false);
    expect(isAppMainFrame(contents.mainFrame, undefined)).toBe(false);
    const closed = new FakeWebContents(9);
    closed.mainFrame.url = 'app://gateway/index.html';
    closed.destroyed = true;
    expect(isAppMainFrame(closed.mainFrame, closed)).toBe(false);
  });
});

describe('registerCommandHandlers', () => {
  it('answers a throwing dispatch as data (so the detail survives IPC) and removes every handler on dispose', async () => {
    const ipcMain = new FakeIpcMain();
    const dispose = registerCommandHandlers(ipcMain as never, {
      dispatch: async () => {
        throw new CommandError('That destination does not exist (any more).', 'unknown destination "X"');
      },
      isTrustedSender: () => true,
    });
    await expect(ipcMain.invoke('gateway:echo', {}, { target: { destination: 'X' } })).resolves.toEqual({
      ok: false,
      error: { message: 'That destination does not exist (any more).', detail: 'unknown destination "X"' },
    });
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('tells the log which command a refused sender asked for, and from where', async () => {
    const ipcMain = new FakeIpcMain();
    const refused: string[] = [];
    let dispatched = 0;
    registerCommandHandlers(ipcMain as never, {
      dispatch: async () => dispatched++,
      isTrustedSender: () => false,
      onRefused: (command, url) => refused.push(`${command} ${url}`),
    });
    await expect(ipcMain.invoke('gateway:listRules', { senderFrame: { url: 'https://evil.example/' } })).rejects.toThrow(
      /listRules refused/,
    );
    expect(refused).toEqual(['listRules https://evil.example/']);
    expect(dispatched).toBe(0);
  });
});

describe('forwardEvents', () => {
  it('sends each event on gateway:event while the window lives, and stops on unsubscribe', () => {
    let listener: ((event: UiEventName, payload: unknown) => void) | undefined;
    const subscribe = (l: typeof listener) => {
      listener = l;
      return () => (listener = undefined);
    };
    const contents = new FakeWebContents(1);
    const unsubscribe = forwardEvents(subscribe as never, contents);
    listener?.('send-progress', { sendId: 1, fileIndex: 0 });
    contents.destroyed = true;
    listener?.('send-progress', { sendId: 1, fileIndex: 1 });
    expect(contents.sent).toEqual([{ channel: 'gateway:event', args: ['send-progress', { sendId: 1, fileIndex: 0 }] }]);
    unsubscribe();
    expect(listener).toBeUndefined();
  });
});
