/**
 * One app, one engine: a second launch brings the running window forward instead of starting a
 * second engine on the same store and port; quitting waits for the engine to drain, as `serve`
 * does on SIGTERM, so no instance in flight is lost.
 */
import type { App, BrowserWindow } from 'electron';

export type FocusableWindow = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>;

export function focusWindow(win: FocusableWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/**
 * Takes the single-instance lock. Returns false when another instance holds it: this one must
 * quit without starting anything. Otherwise a later launch focuses the window `showWindow` returns.
 */
export function claimSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'on'>, showWindow: () => FocusableWindow): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => focusWindow(showWindow()));
  return true;
}

/**
 * Holds the first quit until `stop` has finished (successfully or not), then quits for real.
 * Quit requests while stopping are held too, so the engine is stopped exactly once.
 */
export function stopBeforeQuit(app: Pick<App, 'on' | 'quit'>, stop: () => Promise<void>, onStopError: (err: unknown) => void): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void stop()
      .catch(onStopError)
      .finally(() => {
        state = 'stopped';
        app.quit();
      });
  });
}
