/**
 * The messages between the Electron main process and the engine's utility process. The main
 * process relays the one UI contract (commands in, replies and events out) and adds only what a
 * host needs: start, the paths the user chose, stop with a deadline. Every message is structured-
 * cloned by Electron (or by Node's advanced serialization in tests), so only plain data travels.
 * No 'electron' import here: both processes and plain-Node tests load this file.
 */
import type { CommandFailure, GatewayStatus, UiEventName } from '../api/contract.ts';
import type { GatewayConfig } from '../gateway.ts';

export type ToEngine =
  | { type: 'start'; config: GatewayConfig; uploadDir: string }
  | { type: 'command'; id: number; command: string; args: unknown }
  | { type: 'allow-paths'; paths: string[] }
  /** Drain and exit; `deadlineAt` (ISO time) is shown to the user while it drains. */
  | { type: 'stop'; deadlineAt: string };

export type FromEngine =
  | { type: 'started'; status: GatewayStatus }
  | { type: 'start-failed'; failure: CommandFailure }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: CommandFailure }
  | { type: 'event'; name: UiEventName; payload: unknown }
  | { type: 'stopped' };

/** A message port in either direction: Electron's parentPort / UtilityProcess, or a Node IPC channel. */
export interface MessageChannelLike<In, Out> {
  post(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}
