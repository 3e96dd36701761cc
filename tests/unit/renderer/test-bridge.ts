/**
 * A GatewayBridge for component tests: commands answer from handlers the test prepares (and are
 * recorded), events are pushed by the test with emit(). It stands in for the transport only; the
 * e2e suite drives the real engine.
 *
 * Arguments are copied with structuredClone before anything else sees them, as Electron's
 * contextBridge does: a value the desktop app cannot carry (a Svelte `$state` proxy, a function)
 * fails the call here with the same DataCloneError, so a view that works in the browser but not on
 * the desktop fails its tests.
 */
import {
  CommandError,
  type CommandArgs,
  type CommandName,
  type CommandResult,
  type GatewayBridge,
  type GatewayUiEvents,
  type UiEventName,
} from '../../../src-main/api/contract.ts';

export type Handlers = {
  [C in CommandName]?: (args: CommandArgs<C>) => CommandResult<C> | Promise<CommandResult<C>>;
};

export interface TestBridge extends GatewayBridge {
  /** Every invoke, in order. */
  calls: { command: CommandName; args: unknown }[];
  callsOf<C extends CommandName>(command: C): CommandArgs<C>[];
  emit<E extends UiEventName>(event: E, payload: GatewayUiEvents[E]): void;
  listenerCount(event: UiEventName): number;
  dropped: File[][];
  /** What pathsForDroppedFiles answers for the files it is given. */
  resolveDropped: (files: File[]) => string[] | Promise<string[]>;
  handlers: Handlers;
}

export function createTestBridge(handlers: Handlers = {}): TestBridge {
  const listeners = new Map<UiEventName, Set<(payload: never) => void>>();
  const bridge: TestBridge = {
    calls: [],
    dropped: [],
    handlers,
    resolveDropped: (files) => files.map((f) => `/dropped/${f.name}`),
    callsOf<C extends CommandName>(command: C): CommandArgs<C>[] {
      return bridge.calls.filter((c) => c.command === command).map((c) => c.args as CommandArgs<C>);
    },
    invoke(command: CommandName, ...rest: unknown[]): Promise<never> {
      let args: unknown;
      try {
        args = copyAsContextBridge(rest[0]);
      } catch (error) {
        return Promise.reject(error);
      }
      bridge.calls.push({ command, args });
      const handler = bridge.handlers[command] as ((a: unknown) => unknown) | undefined;
      if (!handler) return Promise.reject(new Error(`test bridge: no handler for ${command}`));
      try {
        return Promise.resolve(handler(args)) as Promise<never>;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of [...(listeners.get(event) ?? [])]) (listener as (p: typeof payload) => void)(payload);
    },
    listenerCount(event) {
      return listeners.get(event)?.size ?? 0;
    },
    async pathsForDroppedFiles(files: File[]): Promise<string[]> {
      bridge.dropped.push(files);
      return bridge.resolveDropped(files);
    },
  } as TestBridge;
  return bridge;
}

/** What contextBridge does to an argument: a structured clone, which refuses proxies and functions. */
export function copyAsContextBridge<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** A rejection shaped like the transports' (message for people, detail for the admin). */
export function commandFailure(message: string, detail: string): CommandError {
  return new CommandError(message, detail);
}

/** Waits for the next animation frame (the batching helper flushes on it). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Gives a test bridge the connection events the browser transport has; returns a function that reports a state. */
export function addConnection(bridge: TestBridge): (state: 'connecting' | 'open' | 'reconnecting' | 'closed') => void {
  const listeners = new Set<(state: 'connecting' | 'open' | 'reconnecting' | 'closed') => void>();
  Object.assign(bridge, {
    onConnectionChange(listener: (state: 'connecting' | 'open' | 'reconnecting' | 'closed') => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return (state) => {
    for (const listener of [...listeners]) listener(state);
  };
}
