/**
 * The GatewayBridge in a plain browser (`dicom-gateway serve --ui-port`): commands and events over
 * the WebSocket /api, dropped files uploaded with POST /upload. The page was opened as
 * http://127.0.0.1:PORT/?token=TOKEN; the token goes with every request. A failed call rejects with the
 * contract's CommandError, the one failure shape the engine's side throws too.
 */
import {
  CommandError,
  type CommandArgs,
  type CommandFailure,
  type CommandName,
  type CommandResult,
  type GatewayBridge,
  type GatewayUiEvents,
  type UiEventName,
  type WireServerMessage,
} from '../../../src-main/api/contract.ts';

export const LOST_CONNECTION = 'Lost connection to the gateway.';
export const NO_CONNECTION = 'Cannot reach the gateway.';
export const TOKEN_REJECTED =
  "The gateway no longer accepts this page's access key: it was changed (serve --rotate-ui-token, or another storage folder). " +
  'Open the address `dicom-gateway serve --ui-port` printed when it started.';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The GatewayBridge plus what only a network transport has: a connection that can drop and come back. */
export interface BrowserBridge extends GatewayBridge {
  readonly state: ConnectionState;
  /** Why the bridge closed by itself (the gateway refused the access key); undefined otherwise. */
  readonly closedReason: string | undefined;
  /** Called on every state change; after 'reconnecting' -> 'open' events may have been missed, so reload lists. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Closes for good: no reconnecting, pending calls fail. */
  close(): void;
}

export interface BrowserBridgeOptions {
  /** http://127.0.0.1:PORT — the UI server's own origin. */
  origin: string;
  token: string;
  /** First reconnect delay; doubles on each failed attempt up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** A call made while there is no connection fails after this long if none comes (default 30 s). */
  queuedCallTimeoutMs?: number;
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(error: CommandError): void;
}

interface Queued {
  text: string;
  id: number;
  pending: Pending;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/** The bridge for the page this script runs in, from its address (`?token=`). */
export function connectBrowserBridge(): BrowserBridge {
  const location = (globalThis as { location?: { origin: string; search: string } }).location;
  if (!location) throw new Error('connectBrowserBridge needs a browser page (window.location)');
  const token = new URLSearchParams(location.search).get('token') ?? '';
  return createBrowserBridge({ origin: location.origin, token });
}

export function createBrowserBridge(opts: BrowserBridgeOptions): BrowserBridge {
  const { origin, token } = opts;
  const baseDelay = opts.reconnectDelayMs ?? 250;
  const maxDelay = opts.maxReconnectDelayMs ?? 5000;
  const queueTimeout = opts.queuedCallTimeoutMs ?? 30_000;
  const socketUrl = `${origin.replace(/^http/, 'ws')}/api?token=${encodeURIComponent(token)}`;
  const where = `${origin.replace(/^http/, 'ws')}/api`;

  const inFlight = new Map<number, Pending>();
  const queue: Queued[] = [];
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let socket: WebSocket | undefined;
  let state: ConnectionState = 'connecting';
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 0;
  let closedReason: string | undefined;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const sendQueued = () => {
    while (queue.length > 0 && socket?.readyState === OPEN) {
      const item = queue.shift()!;
      clearTimeout(item.timer);
      inFlight.set(item.id, item.pending);
      socket.send(item.text);
    }
  };

  const failInFlight = (detail: string) => {
    const failed = [...inFlight.values()];
    inFlight.clear();
    for (const pending of failed) pending.reject(new CommandError(LOST_CONNECTION, `${pending.command}: ${detail}`));
  };

  const deliver = (text: string) => {
    let message: WireServerMessage;
    try {
      message = JSON.parse(text) as WireServerMessage;
    } catch {
      return;
    }
    if ('event' in message) {
      for (const listener of [...(eventListeners.get(message.event) ?? [])]) {
        try {
          listener(message.payload);
        } catch (err) {
          // One broken view must not stop the others from hearing the event.
          console.error(`listener for "${message.event}" failed`, err);
        }
      }
      return;
    }
    const pending = inFlight.get(message.id);
    if (!pending) return;
    inFlight.delete(message.id);
    if ('error' in message) pending.reject(CommandError.of(message.error));
    else pending.resolve(message.result);
  };

  const connect = () => {
    reconnectTimer = undefined;
    const ws = new WebSocket(socketUrl);
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      setState('open');
      sendQueued();
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (typeof event.data === 'string') deliver(event.data);
    };
    ws.onclose = (event: { code: number; reason: string }) => {
      if (socket !== ws) return;
      socket = undefined;
      failInFlight(`the connection to ${where} closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})`);
      if (state === 'closed') return;
      setState('reconnecting');
      const delay = Math.min(maxDelay, baseDelay * 2 ** attempt);
      attempt += 1;
      // A browser hides why a WebSocket handshake failed; a plain request to /api tells a refused
      // key (403) from a gateway that is not there (yet), which is worth waiting for.
      const retry = () => {
        if (state !== 'closed') reconnectTimer = setTimeout(connect, delay);
      };
      if (opened) return retry();
      void keyRejected().then((rejected) => (rejected ? closeForGood(TOKEN_REJECTED) : retry()));
    };
    // Every error is followed by a close event, which does the work.
    ws.onerror = () => {};
  };

  const keyRejected = async (): Promise<boolean> => {
    try {
      return (await fetch(`${origin}/api?token=${encodeURIComponent(token)}`, { cache: 'no-store' })).status === 403;
    } catch {
      return false;
    }
  };

  const invoke = (command: string, args: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (state === 'closed') {
        reject(new CommandError(LOST_CONNECTION, `${command}: the bridge to ${where} was closed`));
        return;
      }
      const id = ++nextId;
      const pending: Pending = { command, resolve, reject };
      let text: string;
      try {
        // Copied the way Electron's contextBridge copies (structured clone) before JSON: what the
        // desktop app cannot carry (a Proxy, a function) fails here too, in the browser and in e2e.
        text = JSON.stringify({ id, command, args: args === undefined ? args : structuredClone(args) });
      } catch (err) {
        reject(new CommandError('The app could not send that request to the gateway.', `${command}: ${(err as Error).message}`));
        return;
      }
      if (socket?.readyState === OPEN && queue.length === 0) {
        inFlight.set(id, pending);
        socket.send(text);
        return;
      }
      const timer = setTimeout(() => {
        const index = queue.findIndex((q) => q.id === id);
        if (index >= 0) queue.splice(index, 1);
        reject(
          new CommandError(
            NO_CONNECTION,
            `${command}: no connection to ${where} within ${queueTimeout} ms; is \`dicom-gateway serve\` still running?`,
          ),
        );
      }, queueTimeout);
      queue.push({ text, id, pending, timer });
    });

  const upload = async (file: File): Promise<string> => {
    // A file from a chosen or dropped folder keeps its path inside that folder ("series1/IM0001").
    const name = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
    const url = `${origin}/upload?token=${encodeURIComponent(token)}&name=${encodeURIComponent(name)}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
    } catch (err) {
      throw new CommandError(`${file.name} could not be uploaded to the gateway.`, `POST ${origin}/upload: ${(err as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as { path?: unknown; error?: CommandFailure } | undefined;
    if (response.ok && typeof body?.path === 'string') return body.path;
    throw new CommandError(
      body?.error?.message ?? `${file.name} could not be uploaded to the gateway.`,
      body?.error?.detail ?? `POST ${origin}/upload answered HTTP ${response.status}`,
    );
  };

  if (token === '') {
    state = 'closed';
  } else {
    connect();
  }

  const bridge: BrowserBridge = {
    get state() {
      return state;
    },
    get closedReason() {
      return closedReason;
    },
    invoke<C extends CommandName>(command: C, ...args: CommandArgs<C> extends void ? [] : [CommandArgs<C>]): Promise<CommandResult<C>> {
      if (token === '') {
        return Promise.reject(
          new CommandError(
            'This page was opened without its access key.',
            'Open the full address printed by `dicom-gateway serve --ui-port` (it ends with ?token=...).',
          ),
        );
      }
      return invoke(command, args[0]) as Promise<CommandResult<C>>;
    },
    on<E extends UiEventName>(event: E, listener: (payload: GatewayUiEvents[E]) => void): () => void {
      const listeners = eventListeners.get(event) ?? new Set();
      eventListeners.set(event, listeners);
      const entry = listener as (payload: unknown) => void;
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    async pathsForDroppedFiles(files: File[]): Promise<string[]> {
      // One at a time: a folder of thousands of files must not open thousands of uploads at once.
      const paths: string[] = [];
      for (const file of files) paths.push(await upload(file));
      return paths;
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closeForGood(undefined);
    },
  };

  /** Closes for good: no reconnecting; pending calls fail, with `reason` as their words when given. */
  function closeForGood(reason: string | undefined): void {
    if (state === 'closed') return;
    closedReason = reason;
    setState('closed');
    clearTimeout(reconnectTimer);
    for (const item of queue.splice(0)) {
      clearTimeout(item.timer);
      item.pending.reject(new CommandError(reason ?? LOST_CONNECTION, `${item.pending.command}: the bridge to ${where} was closed`));
    }
    const ws = socket;
    socket = undefined;
    failInFlight(`the bridge to ${where} was closed`);
    ws?.close(1000, 'page closed');
  }

  return bridge;
}
