/**
 * A stand-in for the main-process half of the 'electron' module, for tests that load the real
 * main.ts under vi.doMock('electron'). The Electron binary cannot run here, so these fakes model
 * the few behaviours the shell relies on, as Electron documents them: before-quit can be
 * prevented, a BrowserWindow emits app 'web-contents-created', ipcMain.handle refuses a second
 * handler for a channel, schemes must be registered as privileged before 'ready'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export interface FakeFrame {
  processId: number;
  routingId: number;
  url: string;
}

let nextRoutingId = 1;

export class FakeWebContents extends EventEmitter {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  readonly mainFrame: FakeFrame;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  destroyed = false;

  constructor(processId: number) {
    super();
    this.mainFrame = { processId, routingId: nextRoutingId++, url: '' };
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  devToolsClosed = 0;

  closeDevTools(): void {
    this.devToolsClosed++;
  }

  /** What a navigation listener decides: true when some listener prevented it. Electron 45 puts the URL on the event. */
  tryNavigate(eventName: 'will-navigate' | 'will-redirect', url: string): boolean {
    const event = { ...fakeEvent(), url };
    event.preventDefault = function () {
      this.defaultPrevented = true;
    };
    this.emit(eventName, event, 'the deprecated positional url must not be used');
    return event.defaultPrevented;
  }

  /** An IPC invoke event as Electron builds it for a frame of this webContents. */
  invokeEvent(frame: FakeFrame | null = this.mainFrame): { sender: FakeWebContents; senderFrame: FakeFrame | null } {
    return { sender: this, senderFrame: frame };
  }
}

export class FakeElectron {
  readonly timeline: string[] = [];
  readonly windows: FakeBrowserWindow[] = [];
  readonly app: FakeApp;
  readonly ipcMain = new FakeIpcMain();
  readonly protocol: FakeProtocol;
  readonly session = { defaultSession: new FakeSession() };
  readonly dialog = {
    errors: [] as { title: string; content: string }[],
    showErrorBox: (title: string, content: string) => this.dialog.errors.push({ title, content }),
    /** What the next showOpenDialog answers (the test plays the user); cancelled when empty. */
    openAnswers: [] as string[][],
    openRequests: [] as Record<string, unknown>[],
    showOpenDialog: async (...args: unknown[]) => {
      this.dialog.openRequests.push(args.at(-1) as Record<string, unknown>);
      const answer = this.dialog.openAnswers.shift();
      return answer ? { canceled: false, filePaths: answer } : { canceled: true, filePaths: [] };
    },
  };
  readonly menu = { template: undefined as unknown };
  readonly Menu = {
    buildFromTemplate: (template: unknown) => ({ template }),
    setApplicationMenu: (menu: { template: unknown } | null) => {
      this.menu.template = menu?.template;
    },
  };
  /** Every engine process forked, newest last. */
  readonly utilityProcesses: FakeUtilityProcess[] = [];
  readonly utilityProcess = {
    fork: (modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
      if (!this.app.isReady) throw new Error('utilityProcess.fork can only be called after the ready event');
      const child = new FakeUtilityProcess(this, modulePath, args, options);
      this.utilityProcesses.push(child);
      return child;
    },
  };
  readonly BrowserWindow: new (options: Record<string, unknown>) => FakeBrowserWindow;

  constructor(opts: { userData: string; appPath: string; gotLock?: boolean }) {
    this.app = new FakeApp(this, opts);
    this.protocol = new FakeProtocol(this.app);
    this.BrowserWindow = windowClassOf(this);
  }

  /** The module object vi.doMock('electron') answers with. */
  module(): Record<string, unknown> {
    return {
      app: this.app,
      BrowserWindow: this.BrowserWindow,
      ipcMain: this.ipcMain,
      protocol: this.protocol,
      session: this.session,
      dialog: this.dialog,
      Menu: this.Menu,
      utilityProcess: this.utilityProcess,
    };
  }
}

export class FakeApp extends EventEmitter {
  readonly userData: string;
  readonly appPath: string;
  gotLock: boolean;
  sandboxEnabled = false;
  isReady = false;
  /** True once a quit went through (before-quit was not prevented). */
  quitted = false;
  private readonly electron: FakeElectron;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });

  constructor(electron: FakeElectron, opts: { userData: string; appPath: string; gotLock?: boolean }) {
    super();
    this.electron = electron;
    this.userData = opts.userData;
    this.appPath = opts.appPath;
    this.gotLock = opts.gotLock ?? true;
  }

  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }

  enableSandbox(): void {
    if (this.isReady) throw new Error('app.enableSandbox() must be called before the app is ready');
    this.sandboxEnabled = true;
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** The test's way of saying "Electron is ready now". */
  becomeReady(): void {
    this.isReady = true;
    this.resolveReady();
    this.emit('ready');
  }

  isPackaged = false;

  getPath(name: string): string {
    if (name === 'userData') return this.userData;
    if (name === 'home') return this.home;
    throw new Error(`the fake app knows only userData and home, not ${name}`);
  }

  get home(): string {
    return `${this.appPath}/../home`;
  }

  getName(): string {
    return 'DICOM Gateway';
  }

  getAppPath(): string {
    return this.appPath;
  }

  quit(): void {
    this.electron.timeline.push('quit requested');
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (event.defaultPrevented) {
      this.electron.timeline.push('quit held');
      return;
    }
    this.quitted = true;
    this.electron.timeline.push('quit');
    for (const win of [...this.electron.windows]) win.destroy();
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents: FakeWebContents;
  minimized = false;
  visible = false;
  focused = 0;
  restored = 0;
  loadedUrl: string | undefined;
  private destroyed = false;
  private readonly electron: FakeElectron;

  constructor(electron: FakeElectron, options: Record<string, unknown>) {
    super();
    if (!electron.app.isReady) throw new Error('Cannot create BrowserWindow before app is ready');
    this.electron = electron;
    this.options = options;
    this.webContents = new FakeWebContents(100 + electron.windows.length);
    electron.windows.push(this);
    electron.app.emit('web-contents-created', fakeEvent(), this.webContents);
  }

  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.restored++;
    this.minimized = false;
  }

  show(): void {
    this.visible = true;
  }

  focus(): void {
    this.focused++;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Closing the window: 'closed', and when it was the last one, app 'window-all-closed'. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.electron.windows.splice(this.electron.windows.indexOf(this), 1);
    this.emit('closed');
    if (this.electron.windows.length === 0 && !this.electron.app.quitted) this.electron.app.emit('window-all-closed');
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, args) does from the frame that `event` names. */
  async invoke(channel: string, event: unknown, args?: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, args);
  }
}

export class FakeProtocol {
  readonly privileged: { scheme: string; privileges?: Record<string, boolean> }[] = [];
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  private readonly app: FakeApp;

  constructor(app: FakeApp) {
    this.app = app;
  }

  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void {
    if (this.app.isReady) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    this.privileged.push(...schemes);
  }

  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (!this.app.isReady) throw new Error('protocol.handle can only be used after the app is ready');
    this.handlers.set(scheme, handler);
  }
}

export class FakeSession {
  permissionRequest:
    ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void) | undefined;
  permissionCheck: ((contents: unknown, permission: string, origin: string) => boolean) | undefined;

  setPermissionRequestHandler(handler: NonNullable<FakeSession['permissionRequest']>): void {
    this.permissionRequest = handler;
  }

  setPermissionCheckHandler(handler: NonNullable<FakeSession['permissionCheck']>): void {
    this.permissionCheck = handler;
  }
}

/**
 * Electron's UtilityProcess, modelled with Node's child_process.fork: the same module runs under
 * plain Node (Electron's utility process is Node too), and messages are structured-cloned
 * (`serialization: 'advanced'`), as Electron's postMessage does. 'message' carries the data itself
 * and 'exit' the exit code, as Electron documents.
 */
export class FakeUtilityProcess extends EventEmitter {
  readonly modulePath: string;
  readonly args: string[];
  readonly options: Record<string, unknown>;
  readonly child: ChildProcess;
  readonly received: unknown[] = [];
  exitCode: number | undefined;
  private readonly electron: FakeElectron;

  constructor(electron: FakeElectron, modulePath: string, args: string[], options: Record<string, unknown>) {
    super();
    this.electron = electron;
    this.modulePath = modulePath;
    this.args = args;
    this.options = options;
    // Electron's `env` option, process.env when not given, as Node's fork takes it.
    const env = options.env as NodeJS.ProcessEnv | undefined;
    this.child = fork(modulePath, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], env });
    this.child.on('message', (message) => this.emit('message', message));
    this.child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 + 9 : 0);
      this.electron.timeline.push('engine stopped');
      this.emit('exit', this.exitCode);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  postMessage(message: unknown): void {
    if ((message as { type?: string }).type === 'stop') this.electron.timeline.push('engine stopping');
    if (this.child.connected) this.child.send(message as never);
  }

  kill(): boolean {
    return this.child.kill('SIGKILL');
  }
}

/** `new BrowserWindow(options)` as the app calls it, bound to one fake Electron. */
function windowClassOf(electron: FakeElectron): new (options: Record<string, unknown>) => FakeBrowserWindow {
  return class extends FakeBrowserWindow {
    constructor(options: Record<string, unknown>) {
      super(electron, options);
    }
  };
}
