/**
 * The one engine the window talks to, across storage-folder changes: commands go to the engine of
 * the moment, event listeners stay subscribed when it is replaced, and a change of folder stops
 * the old engine before the new one opens (two engines must never share a port or a store).
 */
import type { GatewayStatus } from '../api/contract.ts';
import { CommandError } from '../api/command-failure.ts';
import type { EngineClient, EventListener, StopOutcome } from './engine-client.ts';

export type StartEngine = (storage: string) => EngineClient;

export class EngineSupervisor {
  private readonly startEngine: StartEngine;
  private readonly listeners = new Set<EventListener>();
  private engine: EngineClient | undefined;
  private unsubscribe: (() => void) | undefined;
  private storageFolder: string | undefined;
  /** Told when an engine ends without being asked to (a crash). */
  onUnexpectedExit: ((code: number) => void) | undefined;

  constructor(startEngine: StartEngine) {
    this.startEngine = startEngine;
  }

  get storage(): string | undefined {
    return this.storageFolder;
  }

  /** Starts the engine on `storage`; resolves once it has opened the store. */
  start(storage: string): Promise<GatewayStatus> {
    const engine = this.startEngine(storage);
    this.engine = engine;
    this.storageFolder = storage;
    this.unsubscribe = engine.subscribe((name, payload) => {
      for (const listener of [...this.listeners]) listener(name, payload);
    });
    engine.onUnexpectedExit = (code) => this.onUnexpectedExit?.(code);
    return engine.whenStarted();
  }

  async dispatch(command: string, args: unknown): Promise<unknown> {
    const engine = this.engine;
    if (!engine) throw new CommandError('The gateway is not running.', `${command}: no engine`);
    await engine.whenStarted();
    return engine.dispatch(command, args);
  }

  allowPaths(paths: string[]): void {
    this.engine?.allowPaths(paths);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drains and ends the engine within `deadlineMs`. */
  async stop(deadlineMs: number): Promise<StopOutcome> {
    const engine = this.engine;
    if (!engine) return { drained: true };
    const outcome = await engine.stop(deadlineMs);
    this.unsubscribe?.();
    this.engine = undefined;
    return outcome;
  }

  /**
   * Moves to another storage folder: stops this engine, starts one on `storage`; if that one cannot
   * open its store, the old folder is opened again and the error is thrown.
   */
  async switchStorage(storage: string, deadlineMs: number): Promise<GatewayStatus> {
    const previous = this.storageFolder;
    // An engine still opening its store is let finish first: its start must not fail for this.
    await this.engine?.whenStarted().catch(() => undefined);
    await this.stop(deadlineMs);
    try {
      const status = await this.start(storage);
      // Every view showing settings must learn the new folder (and the settings kept in it).
      const settings = await this.dispatch('getSettings', undefined);
      for (const listener of [...this.listeners]) listener('settings-changed', settings);
      return status;
    } catch (err) {
      await this.stop(deadlineMs);
      if (previous !== undefined) await this.start(previous);
      throw err;
    }
  }
}
