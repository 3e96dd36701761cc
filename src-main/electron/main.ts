/**
 * The Electron main process: wires the shell's pieces together and holds no logic of its own. The
 * engine runs in a utility process (engine-process.ts); this process only runs the window, relays
 * the UI contract, and asks the user for folders. package.json "main" points at the compiled
 * dist/main/electron/main.js.
 */
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, utilityProcess } from 'electron';
import { CommandError } from '../api/command-failure.ts';
import { COMMAND_SCHEMAS } from '../api/command-schemas.ts';
import type { StorageChange } from '../api/contract.ts';
import { createLogger } from '../log/logger.ts';
import { withThreadPoolSize } from '../runtime/thread-pool.ts';
import { claimSingleInstance, focusWindow, QUIT_DEADLINE_MS, stopBeforeQuit } from './app-lifecycle.ts';
import { applicationMenuTemplate } from './app-menu.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './app-protocol.ts';
import { defaultStorageFolder } from './data-folder.ts';
import { desktopGatewayConfig, startEngineProcess, type ForkEngine } from './desktop-engine.ts';
import { readPreferences, writePreferences } from './desktop-preferences.ts';
import type { EngineChild } from './engine-client.ts';
import { EngineSupervisor } from './engine-supervisor.ts';
import { appWindowSenderCheck, forwardEvents, registerChosenPathsHandler, registerCommandHandlers } from './ipc-bridge.ts';
import { createMainWindow } from './main-window.ts';
import { guardNavigation } from './navigation-guard.ts';
import { restrictPermissions } from './permission-policy.ts';
import { storageFolderProblem } from './storage-folder-choice.ts';

const logger = createLogger();
const appRoot = app.getAppPath();
const here = fileURLToPath(import.meta.url);
const paths = {
  preloadPath: join(dirname(here), 'preload.cjs'),
  // engine-process.js next to main.js in the build; engine-process.ts when run from source.
  enginePath: join(dirname(here), `engine-process${extname(here)}`),
  iconPath: join(appRoot, 'resources', 'icons', '512x512.png'),
  rendererDir: join(appRoot, 'dist', 'renderer'),
};

const forkEngine: ForkEngine = (modulePath, args) =>
  utilityProcess.fork(modulePath, args, {
    serviceName: 'DICOM Gateway engine',
    stdio: 'inherit',
    env: withThreadPoolSize(process.env),
  }) as unknown as EngineChild;
const engine = new EngineSupervisor((storage) => startEngineProcess(forkEngine, paths.enginePath, desktopGatewayConfig(storage)));

let mainWindow: BrowserWindow | undefined;
let quit: { readonly quitting: boolean } = { quitting: false };

/** The window, opened if there is none (macOS keeps running with its windows closed); none while quitting. */
function ensureMainWindow(): BrowserWindow | undefined {
  if (mainWindow && !mainWindow.isDestroyed()) return mainWindow;
  if (quit.quitting) return undefined;
  const win = createMainWindow(BrowserWindow, paths);
  mainWindow = win;
  const unsubscribe = forwardEvents((listener) => engine.subscribe(listener), win.webContents);
  win.webContents.on('preload-error', (_event, preloadPath, error) => {
    logger.error('electron.preload-failed', { preloadPath, error: error.message });
    dialog.showErrorBox(
      'DICOM Gateway cannot show its window',
      `The part of the app that connects the window to the gateway (${preloadPath}) did not load: ${error.message}\n\nReinstall DICOM Gateway. Images keep arriving meanwhile.`,
    );
  });
  if (app.isPackaged) win.webContents.on('devtools-opened', () => win.webContents.closeDevTools());
  win.on('closed', () => {
    unsubscribe();
    if (mainWindow === win) mainWindow = undefined;
  });
  return win;
}

/** Settings → Storage folder → Change: a native dialog, then the engine restarts on the new folder. */
async function chooseStorageFolder(userData: string): Promise<StorageChange> {
  const current = engine.storage;
  if (current === undefined) throw new CommandError('The gateway is not running.', 'chooseStorageFolder: no engine');
  const options = {
    title: 'Choose where DICOM Gateway keeps received images',
    defaultPath: current,
    buttonLabel: 'Use this folder',
    properties: ['openDirectory', 'createDirectory', 'promptToCreate'] as Array<'openDirectory' | 'createDirectory' | 'promptToCreate'>,
  };
  const choice = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  const target = choice.canceled ? undefined : choice.filePaths[0];
  if (target === undefined || resolve(target) === resolve(current)) return { changed: false };
  const problem = await storageFolderProblem(target, current);
  if (problem !== undefined) throw new CommandError(problem, `chooseStorageFolder: refused ${target}`);
  await engine.switchStorage(target, QUIT_DEADLINE_MS);
  await writePreferences(userData, { storage: target });
  logger.info('gateway.storage-changed', { storage: target, previous: current });
  return { changed: true, storage: target, previous: current };
}

/** The one command the main process answers itself, checked against the contract's schema like every other. */
async function chooseStorageFolderChecked(args: unknown, userData: string): Promise<StorageChange> {
  const parsed = COMMAND_SCHEMAS.chooseStorageFolder.safeParse(args ?? undefined);
  if (!parsed.success) throw new CommandError('The request was not valid.', 'chooseStorageFolder: takes no arguments');
  return chooseStorageFolder(userData);
}

if (!claimSingleInstance(app, ensureMainWindow)) {
  app.quit();
} else {
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) => {
    guardNavigation(contents, (what, url) => logger.warn('electron.blocked', { what, url }));
  });
  quit = stopBeforeQuit(
    app,
    async (deadlineMs) => {
      const outcome = await engine.stop(deadlineMs);
      if (!outcome.drained)
        logger.warn('gateway.stop-deadline', {
          deadlineMs,
          detail: 'transfers still in flight were ended; they are recovered or resent at the next start',
        });
    },
    (err) => logger.error('gateway.stop-failed', { error: String(err) }),
    QUIT_DEADLINE_MS,
  );
  app.on('window-all-closed', () => {
    // macOS apps stay in the dock with their windows closed; the engine keeps receiving.
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(async () => {
    const userData = app.getPath('userData');
    const home = app.getPath('home');
    const storage =
      (await readPreferences(userData)).storage ?? defaultStorageFolder({ platform: process.platform, env: process.env, home });
    engine.onUnexpectedExit = (code) => {
      if (quit.quitting) return;
      logger.error('gateway.engine-exited', { code });
      dialog.showErrorBox(
        'DICOM Gateway stopped',
        `The gateway engine ended unexpectedly (exit code ${code}). Start DICOM Gateway again; images acknowledged before are safe.`,
      );
      app.quit();
    };
    engine.start(storage).catch((err: unknown) => {
      if (quit.quitting) return;
      dialog.showErrorBox('DICOM Gateway could not start', err instanceof Error ? err.message : String(err));
      app.quit();
    });
    protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, paths.rendererDir));
    restrictPermissions(session.defaultSession);
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(applicationMenuTemplate({ platform: process.platform, isPackaged: app.isPackaged, appName: app.getName() })),
    );
    const isTrustedSender = appWindowSenderCheck(() => mainWindow?.webContents);
    registerCommandHandlers(ipcMain, {
      dispatch: (command, args) =>
        command === 'chooseStorageFolder' ? chooseStorageFolderChecked(args, userData) : engine.dispatch(command, args),
      isTrustedSender,
      onRefused: (command, url) => logger.warn('electron.ipc-refused', { command, url }),
    });
    registerChosenPathsHandler(ipcMain, isTrustedSender, (chosen) => engine.allowPaths(chosen));
    ensureMainWindow();
    app.on('activate', () => focusWindow(ensureMainWindow()));
  });
}
