/** The app's one window: secure options, shown once painted, loading the app's own page. */
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { APP_INDEX_URL } from './app-protocol.ts';
import { mainWindowOptions } from './window-options.ts';

export type BrowserWindowClass = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export function createMainWindow(BrowserWindowCtor: BrowserWindowClass, paths: { preloadPath: string; iconPath?: string }): BrowserWindow {
  const win = new BrowserWindowCtor(mainWindowOptions(paths));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
