/**
 * What a transport (Electron IPC, the WebSocket server) needs from the engine: one entry point for
 * commands, validated at the boundary, and one stream of events. Transports carry JSON; they never
 * call the Gateway directly.
 */
import type { UiEventName } from './contract.ts';

export interface ApiHost {
  /** Validates `args` against the command's schema, runs it, and resolves with its JSON result. Rejects with CommandError (command-failure.ts). */
  dispatch(command: string, args: unknown): Promise<unknown>;
  /** Every UI event, in order; returns an unsubscribe function. */
  subscribe(listener: (event: UiEventName, payload: unknown) => void): () => void;
  /** A folder where a transport may put files uploaded from a browser before they are sent or inspected. */
  uploadDir: string;
  /**
   * Records paths the user chose (a file dialog, a drop). Only these, what lies beneath them, the
   * upload folder and stored instances (by id) may be read, scanned or sent. Not a contract command:
   * a page cannot call it, only a transport that saw the user choose.
   */
  allowPaths(paths: readonly string[]): void;
}
