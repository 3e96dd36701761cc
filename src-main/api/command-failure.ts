/**
 * The one failure shape from engine to renderer: words a radiographer can act on (`message`) and
 * what a PACS admin needs (`detail`). The engine's host throws it, both transports carry it as
 * plain JSON, and the renderer's bridges reject with it. No stack trace ever crosses: a stack
 * names the engine's files and helps no one at the UI (the engine's log keeps what it needs).
 * Plain TypeScript, no Node module: the renderer bundles this file through contract.ts.
 */

/** A failed command as the renderer sees it: words for a radiographer, the detail one click away. */
export interface CommandFailure {
  message: string;
  detail: string;
}

/** A command that failed, thrown on either side of the contract. */
export class CommandError extends Error implements CommandFailure {
  readonly detail: string;
  constructor(message: string, detail: string) {
    super(message);
    this.name = 'CommandError';
    this.detail = detail;
  }

  /** The failure a transport carried, as an error to reject with. */
  static of(failure: CommandFailure): CommandError {
    return new CommandError(failure.message, failure.detail);
  }

  toJSON(): CommandFailure {
    return { message: this.message, detail: this.detail };
  }
}

/** What the renderer sees of a failure nothing put into words. */
export const GENERIC_FAILURE = 'Something went wrong in the gateway.';

export function isCommandFailure(value: unknown): value is CommandFailure {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && typeof v.detail === 'string';
}

/** Any failure as it may cross to the renderer: a CommandFailure as it is, anything else in generic words with its own message (never its stack) as the detail. */
export function commandFailureOf(err: unknown): CommandFailure {
  if (isCommandFailure(err)) return { message: err.message, detail: err.detail };
  return { message: GENERIC_FAILURE, detail: err instanceof Error ? err.message : String(err) };
}
