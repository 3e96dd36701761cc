/**
 * The main process's handle on the engine's utility process: start it, relay commands and events,
 * pass on the paths the user chose, and stop it within a deadline. Holds no engine logic: the main
 * process stays free for the window and IPC, however busy the engine is.
 */
import { CommandError } from '../api/command-failure.ts';
import type { GatewayStatus, UiEventName } from '../api/contract.ts';
import type { GatewayConfig } from '../gateway.ts';
import type { FromEngine, ToEngine } from './engine-messages.ts';

/** What the main process needs of Electron's UtilityProcess (and of the fake used in tests). */
export interface EngineChild {
  postMessage(message: ToEngine): void;
  on(event: 'message', listener: (message: FromEngine) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export type EventListener = (name: UiEventName, payload: unknown) => void;

export interface StopOutcome {
  /** True when the engine drained and exited by itself; false when the deadline ended it. */
  drained: boolean;
}

export class EngineClient {
  private readonly child: EngineChild;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: unknown): void; command: string }>();
  private readonly listeners = new Set<EventListener>();
  private nextId = 0;
  private exited: number | undefined;
  private readonly exitWaiters = new Set<(code: number) => void>();
  private readonly started: Promise<GatewayStatus>;
  /** Called once if the engine ends when nobody asked it to stop. */
  onUnexpectedExit: ((code: number) => void) | undefined;
  private stopRequested = false;

  constructor(child: EngineChild, config: GatewayConfig, uploadDir: string) {
    this.child = child;
    this.started = new Promise((resolve, reject) => {
      child.on('message', (message: FromEngine) => {
        if (message.type === 'started') resolve(message.status);
        else if (message.type === 'start-failed') reject(CommandError.of(message.failure));
        else this.onMessage(message);
      });
      child.on('exit', (code: number) => {
        this.exited = code;
        reject(new CommandError('The gateway engine ended before it started.', `engine process exit code ${code}`));
        this.failPending(`the engine process ended (exit code ${code})`);
        for (const waiter of this.exitWaiters) waiter(code);
        if (!this.stopRequested) this.onUnexpectedExit?.(code);
      });
    });
    // Nobody may be waiting on `started` when it fails; the failure is still reported through it.
    this.started.catch(() => {});
    child.postMessage({ type: 'start', config, uploadDir });
  }

  /** The engine's status once it has opened its store (the listener may still be stopped). */
  whenStarted(): Promise<GatewayStatus> {
    return this.started;
  }

  dispatch(command: string, args: unknown): Promise<unknown> {
    if (this.exited !== undefined || this.stopRequested) {
      return Promise.reject(new CommandError('The gateway is shutting down.', `${command}: the engine is stopping or has ended`));
    }
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, command });
      this.child.postMessage({ type: 'command', id, command, args });
    });
  }

  allowPaths(paths: string[]): void {
    if (this.exited === undefined) this.child.postMessage({ type: 'allow-paths', paths });
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asks the engine to drain (finish what is in flight, accept nothing new) and waits until
   * `deadlineMs` for it to exit; past that it is killed. The store is crash-safe (nothing is
   * acknowledged before it is durable, and interrupted files are recovered at the next start),
   * so ending it at the deadline loses nothing that was answered.
   */
  async stop(deadlineMs: number): Promise<StopOutcome> {
    this.stopRequested = true;
    if (this.exited !== undefined) return { drained: true };
    const exited = new Promise<number>((resolve) => this.exitWaiters.add(resolve));
    this.child.postMessage({ type: 'stop', deadlineAt: new Date(Date.now() + deadlineMs).toISOString() });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
    const first = await Promise.race([exited, deadline]);
    clearTimeout(timer);
    if (first !== 'deadline') return { drained: true };
    this.child.kill();
    await exited;
    return { drained: false };
  }

  private onMessage(message: FromEngine): void {
    if (message.type === 'event') {
      for (const listener of [...this.listeners]) listener(message.name, message.payload);
    } else if (message.type === 'reply') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.ok) pending.resolve(message.result);
      else pending.reject(CommandError.of(message.error));
    }
  }

  private failPending(reason: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new CommandError('The gateway engine stopped.', `${pending.command}: ${reason}`));
    }
  }
}
