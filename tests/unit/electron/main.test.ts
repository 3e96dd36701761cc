/**
 * The real main.ts, loaded under a mocked 'electron' module (the Electron binary cannot run here),
 * driving the real engine: a Gateway on 127.0.0.1 with an OS-chosen port and its storage under a
 * temporary user-data folder, behind the lead's ApiHost. Only the DICOM port is changed from what
 * the desktop app uses (11112 on all interfaces), since tests never take fixed ports.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, type CommandName } from '../../../src-main/api/contract.ts';
import type { IpcReply } from '../../../src-main/electron/ipc-channels.ts';
import { canConnect } from '../../helpers/dcmtk.ts';
import { waitFor } from '../../helpers/wait.ts';
import { FakeElectron, FakeWebContents, fakeEvent, type FakeBrowserWindow } from './fake-electron.ts';

const MAIN = '../../../src-main/electron/main.ts';
const DESKTOP_ENGINE = '../../../src-main/electron/desktop-engine.ts';
const mainDir = dirname(fileURLToPath(new URL(MAIN, import.meta.url)));

let fake: FakeElectron | undefined;
let root: string | undefined;
let busyServer: Server | undefined;

interface Launched {
  fake: FakeElectron;
  userData: string;
  appPath: string;
}

/** Loads main.ts afresh against a new fake Electron; `ready` also lets Electron become ready. */
async function launch(opts: { gotLock?: boolean; port?: number; ready?: boolean } = {}): Promise<Launched> {
  root = await mkdtemp(join(tmpdir(), 'electron-main-'));
  const appPath = join(root, 'app');
  const userData = join(root, 'user-data');
  await mkdir(join(appPath, 'dist', 'renderer'), { recursive: true });
  await writeFile(join(appPath, 'dist', 'renderer', 'index.html'), '<!doctype html><title>DICOM Gateway</title>');
  const electron = new FakeElectron({ userData, appPath, gotLock: opts.gotLock ?? true });
  fake = electron;
  vi.resetModules();
  vi.doMock('electron', () => electron.module());
  vi.doMock(DESKTOP_ENGINE, async (importOriginal) => {
    const real = await importOriginal<typeof import('../../../src-main/electron/desktop-engine.ts')>();
    return {
      ...real,
      desktopGatewayConfig: (dir: string) => real.desktopGatewayConfig(dir, { host: '127.0.0.1', port: opts.port ?? 0 }),
      startDesktopEngine: async (...args: Parameters<typeof real.startDesktopEngine>) => {
        const engine = await real.startDesktopEngine(...args);
        return {
          ...engine,
          stop: async () => {
            electron.timeline.push('engine stopping');
            await engine.stop();
            electron.timeline.push('engine stopped');
          },
        };
      },
    };
  });
  await import(MAIN);
  if (opts.ready ?? true) {
    electron.app.becomeReady();
    if (opts.gotLock ?? true) await waitFor('the main window', () => electron.windows.length === 1);
  }
  return { fake: electron, userData, appPath };
}

function theWindow(electron: FakeElectron): FakeBrowserWindow {
  const win = electron.windows[0];
  if (!win) throw new Error('no window is open');
  return win;
}

/** ipcRenderer.invoke from the app window's main frame (or the frame/contents given). */
async function invoke(electron: FakeElectron, command: CommandName, args?: unknown, event?: unknown): Promise<IpcReply> {
  return (await electron.ipcMain.invoke(`gateway:${command}`, event ?? theWindow(electron).webContents.invokeEvent(), args)) as IpcReply;
}

async function status(electron: FakeElectron): Promise<{ port: number; storage: string; aeTitle: string }> {
  const reply = await invoke(electron, 'getStatus');
  if (!reply.ok) throw new Error(`getStatus failed: ${reply.error.detail}`);
  return reply.result as { port: number; storage: string; aeTitle: string };
}

afterEach(async () => {
  const electron = fake;
  if (electron && electron.app.isReady && !electron.app.quitted && electron.app.gotLock) {
    electron.app.quit();
    await waitFor('the app to quit', () => electron.app.quitted);
  }
  vi.doUnmock('electron');
  vi.doUnmock(DESKTOP_ENGINE);
  busyServer?.close();
  busyServer = undefined;
  if (root) await rm(root, { recursive: true, force: true });
  fake = undefined;
  root = undefined;
});

describe('starting', () => {
  it('quits at once, opening no window and starting no engine, when another instance holds the single-instance lock', async () => {
    const { fake: electron, userData } = await launch({ gotLock: false, ready: false });
    expect(electron.app.quitted).toBe(true);
    electron.app.becomeReady();
    await new Promise((resolve) => setImmediate(resolve));
    expect(electron.windows).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
    await expect(stat(join(userData, 'storage'))).rejects.toThrow(/ENOENT/);
  });

  it('sandboxes every renderer and registers the app scheme as a standard, secure scheme before Electron is ready', async () => {
    const { fake: electron } = await launch({ ready: false });
    expect(electron.app.sandboxEnabled).toBe(true);
    expect(electron.protocol.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(electron.protocol.privileged[0]?.privileges).not.toHaveProperty('bypassCSP');
    electron.app.becomeReady();
    await waitFor('the main window', () => electron.windows.length === 1);
  });

  it('opens one window with the secure web preferences and the built preload, loading the app page, shown once painted', async () => {
    const { fake: electron } = await launch();
    const win = theWindow(electron);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: join(mainDir, 'preload.cjs'),
    });
    expect(win.loadedUrl).toBe('app://gateway/index.html');
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });

  it('serves the renderer build on the app scheme, every page with the CSP header', async () => {
    const { fake: electron } = await launch();
    const handler = electron.protocol.handlers.get('app');
    expect(handler).toBeDefined();
    const page = await handler!(new Request('app://gateway/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>DICOM Gateway</title>');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'/);
    const escape = await handler!(new Request('app://gateway/..%2f..%2fuser-data%2fstorage%2findex.sqlite'));
    expect(escape.status).toBe(404);
  });

  it('starts the engine with its storage and index under the user-data folder', async () => {
    const { fake: electron, userData } = await launch();
    const running = await status(electron);
    expect(running.storage).toBe(join(userData, 'storage'));
    expect(running.aeTitle).toBe('GATEWAY');
    expect(await canConnect(running.port)).toBe(true);
    expect((await stat(join(userData, 'storage', 'index.sqlite'))).isFile()).toBe(true);
  });

  it('shows why in a dialog and quits when the engine cannot start because the DICOM port is taken', async () => {
    busyServer = createServer();
    await new Promise<void>((resolve) => busyServer!.listen(0, '127.0.0.1', resolve));
    const port = (busyServer.address() as { port: number }).port;
    const { fake: electron } = await launch({ port, ready: false });
    electron.app.becomeReady();
    await waitFor('the error dialog', () => electron.dialog.errors.length > 0);
    expect(electron.dialog.errors[0]?.content).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
    await waitFor('the app to quit', () => electron.app.quitted);
  });
});

describe('a second launch', () => {
  it('restores and focuses the existing window instead of opening another', async () => {
    const { fake: electron } = await launch();
    const win = theWindow(electron);
    win.minimized = true;
    electron.app.emit('second-instance', fakeEvent(), ['dicom-gateway'], '/');
    expect(win.restored).toBe(1);
    expect(win.focused).toBe(1);
    expect(win.visible).toBe(true);
    expect(electron.windows).toEqual([win]);
  });
});

describe('IPC', () => {
  it('has one handler per contract command, and each refuses malformed arguments through its schema', async () => {
    const { fake: electron } = await launch();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map((c) => `gateway:${c}`).sort());
    for (const command of COMMAND_NAMES) {
      const reply = await invoke(electron, command, 42);
      expect(reply, command).toMatchObject({ ok: false, error: { message: expect.any(String), detail: expect.stringContaining(command) } });
    }
  });

  it('answers the app window with the engine result, and a failing command with its message and detail', async () => {
    const { fake: electron } = await launch();
    expect(await invoke(electron, 'listDestinations')).toEqual({ ok: true, result: [] });
    const missing = await invoke(electron, 'deleteDestination', { name: 'NOPE' });
    expect(missing).toEqual({ ok: false, error: { message: expect.stringContaining('NOPE'), detail: expect.stringContaining('NOPE') } });
  });

  it('refuses calls from another page, a sub-frame or another webContents, and the engine never sees them', async () => {
    const { fake: electron } = await launch();
    const contents = theWindow(electron).webContents;
    const destination = {
      name: 'PACS', aeTitle: 'PACS', host: '127.0.0.1', port: 104, maxPduLength: 65536, connectTimeoutMs: 5000,
      dimseTimeoutMs: 5000, maxAssociations: 1, enabled: true, allowTranscoding: false,
    };
    const foreignCalls = [
      contents.invokeEvent({ ...contents.mainFrame, url: 'https://evil.example/' }),
      contents.invokeEvent({ ...contents.mainFrame, url: 'file:///tmp/page.html' }),
      contents.invokeEvent({ ...contents.mainFrame, routingId: contents.mainFrame.routingId + 1000 }),
      contents.invokeEvent(null),
      { sender: new FakeWebContents(contents.mainFrame.processId), senderFrame: contents.mainFrame },
    ];
    for (const event of foreignCalls) {
      await expect(invoke(electron, 'saveDestination', { destination }, event)).rejects.toThrow(/refused/);
    }
    expect(await invoke(electron, 'listDestinations')).toEqual({ ok: true, result: [] });
  });

  it('pushes engine events to the window on gateway:event', async () => {
    const { fake: electron } = await launch();
    const contents = theWindow(electron).webContents;
    const reply = await invoke(electron, 'saveSettings', { settings: { aeTitle: 'DESKGW' } });
    expect(reply.ok).toBe(true);
    const pushed = contents.sent.filter((m) => m.channel === 'gateway:event');
    expect(pushed).toContainEqual({ channel: 'gateway:event', args: ['settings-changed', expect.objectContaining({ aeTitle: 'DESKGW' })] });
  });
});

describe('the window stays on the app', () => {
  it('cancels navigation and redirects away from the app origin, and allows moving within it', async () => {
    const { fake: electron } = await launch();
    const contents = theWindow(electron).webContents;
    expect(contents.tryNavigate('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.tryNavigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.tryNavigate('will-navigate', 'app://gateway.example.com/index.html')).toBe(true);
    expect(contents.tryNavigate('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(contents.tryNavigate('will-navigate', 'app://gateway/index.html#/send')).toBe(false);
  });

  it('denies every window.open and webview', async () => {
    const { fake: electron } = await launch();
    const contents = theWindow(electron).webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'app://gateway/index.html' })).toEqual({ action: 'deny' });
    const attach = fakeEvent();
    contents.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
  });

  it('grants no permission except clipboard writing, and that only to the app', async () => {
    const { fake: electron } = await launch();
    const session = electron.session.defaultSession;
    const ask = (permission: string, url: string) =>
      new Promise<boolean>((resolve) => session.permissionRequest!(null, permission, resolve, { requestingUrl: url }));
    expect(await ask('media', 'app://gateway/index.html')).toBe(false);
    expect(await ask('notifications', 'app://gateway/index.html')).toBe(false);
    expect(await ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(await ask('clipboard-sanitized-write', 'app://gateway/index.html')).toBe(true);
    expect(session.permissionCheck!(null, 'geolocation', 'app://gateway')).toBe(false);
  });
});

describe('quitting', () => {
  it('holds the quit until the engine has drained and stopped, then quits; the DICOM port is closed', async () => {
    const { fake: electron } = await launch();
    const { port } = await status(electron);
    electron.app.quit();
    expect(electron.app.quitted).toBe(false);
    await waitFor('the app to quit', () => electron.app.quitted);
    expect(electron.timeline).toEqual(['quit requested', 'quit held', 'engine stopping', 'engine stopped', 'quit requested', 'quit']);
    expect(await canConnect(port)).toBe(false);
  });

  it('stops the engine once however often quit is asked for while it drains', async () => {
    const { fake: electron } = await launch();
    await status(electron);
    electron.app.quit();
    electron.app.quit();
    electron.app.quit();
    await waitFor('the app to quit', () => electron.app.quitted);
    expect(electron.timeline.filter((e) => e === 'engine stopping')).toHaveLength(1);
  });

  it('quits (stopping the engine) when the last window is closed on Linux and Windows', async () => {
    const { fake: electron } = await launch();
    const { port } = await status(electron);
    theWindow(electron).destroy();
    await waitFor('the app to quit', () => electron.app.quitted);
    expect(electron.timeline).toContain('engine stopped');
    expect(await canConnect(port)).toBe(false);
  });
});
