/**
 * One app, one engine: a second launch brings the running window forward instead of starting a
 * second engine on the same store and port; quitting waits for the engine to drain, as `serve`
 * does on SIGTERM, but never longer than its deadline, and opens no window while it drains.
 */
import type { App, BrowserWindow } from 'electron';

export type FocusableWindow = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>;

export function focusWindow(win: FocusableWindow | undefined): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/**
 * Takes the single-instance lock. Returns false when another instance holds it: this one must
 * quit without starting anything. Otherwise a later launch focuses the window `showWindow` returns
 * (undefined while quitting: no window is opened on an engine that is shutting down).
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>,
  showWindow: () => FocusableWindow | undefined,
): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => focusWindow(showWindow()));
  return true;
}

/** How long a quit waits for transfers in flight before it ends the engine. */
export const QUIT_DEADLINE_MS = 15_000;

export interface QuitState {
  readonly quitting: boolean;
}

/**
 * Holds the first quit until `stop` has finished (successfully or not), then quits for real.
 * Quit requests while stopping are held too, so the engine is stopped exactly once. `stop` is
 * given the deadline; the returned state tells the shell not to open windows any more.
 */
export function stopBeforeQuit(
  app: Pick<App, 'on' | 'quit'>,
  stop: (deadlineMs: number) => Promise<void>,
  onStopError: (err: unknown) => void,
  deadlineMs = QUIT_DEADLINE_MS,
): QuitState {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void stop(deadlineMs)
      .catch(onStopError)
      .finally(() => {
        state = 'stopped';
        app.quit();
      });
  });
  return {
    get quitting() {
      return state !== 'running';
    },
  };
}
