/**
 * The Electron main process: wires the shell's pieces together and holds no logic of its own.
 * package.json "main" points at the compiled dist/main/electron/main.js.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { createLogger } from '../log/logger.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol.ts';
import { claimSingleInstance, focusWindow, stopBeforeQuit } from './app-lifecycle.ts';
import { desktopGatewayConfig, desktopUploadDir, startDesktopEngine, type DesktopEngine } from './desktop-engine.ts';
import { appWindowSenderCheck, forwardEvents, registerCommandHandlers } from './ipc-bridge.ts';
import { createMainWindow } from './main-window.ts';
import { guardNavigation } from './navigation-guard.ts';
import { restrictPermissions } from './permission-policy.ts';

const logger = createLogger();
const appRoot = app.getAppPath();
const paths = {
  preloadPath: join(dirname(fileURLToPath(import.meta.url)), 'preload.cjs'),
  iconPath: join(appRoot, 'resources', 'icons', '512x512.png'),
  rendererDir: join(appRoot, 'dist', 'renderer'),
};

let mainWindow: BrowserWindow | undefined;
let engine: Promise<DesktopEngine> | undefined;

/** The window, opened if there is none (macOS keeps running with its windows closed). */
function ensureMainWindow(): BrowserWindow {
  if (mainWindow && !mainWindow.isDestroyed()) return mainWindow;
  const win = createMainWindow(BrowserWindow, paths);
  mainWindow = win;
  const unsubscribe = engine?.then((e) => forwardEvents(e.host.subscribe, win.webContents), () => () => {});
  win.on('closed', () => {
    void unsubscribe?.then((stop) => stop());
    if (mainWindow === win) mainWindow = undefined;
  });
  return win;
}

if (!claimSingleInstance(app, ensureMainWindow)) {
  app.quit();
} else {
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) => {
    guardNavigation(contents, (what, url) => logger.warn('electron.blocked', { what, url }));
  });
  stopBeforeQuit(app, async () => {
    const running = await engine?.catch(() => undefined);
    await running?.stop();
  }, (err) => logger.error('gateway.stop-failed', { error: String(err) }));
  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with their windows closed; the engine keeps receiving.
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    const userData = app.getPath('userData');
    engine = startDesktopEngine(desktopGatewayConfig(userData), desktopUploadDir(userData), logger);
    engine.catch((err: unknown) => {
      dialog.showErrorBox('DICOM Gateway could not start', err instanceof Error ? err.message : String(err));
      app.quit();
    });
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, paths.rendererDir));
    restrictPermissions(session.defaultSession);
    const started = engine;
    registerCommandHandlers(ipcMain, {
      dispatch: async (command, args) => (await started).host.dispatch(command, args),
      isTrustedSender: appWindowSenderCheck(() => mainWindow?.webContents),
      onRefused: (command, url) => logger.warn('electron.ipc-refused', { command, url }),
    });
    ensureMainWindow();
    app.on('activate', () => focusWindow(ensureMainWindow()));
  });
}
