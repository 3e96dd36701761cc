/**
 * Turns whatever a rejected invoke() gives us into the two things the error panel shows: words for
 * a radiographer and the technical detail. Transports reject with an object carrying
 * { message, detail } (the contract's CommandFailure); anything else is an unexpected renderer-side
 * failure, whose stack is the renderer's own.
 */
import { isCommandFailure, type CommandFailure } from '../../../src-main/api/contract.ts';

export function toFailure(error: unknown): CommandFailure {
  if (isCommandFailure(error)) return { message: error.message, detail: error.detail };
  if (error instanceof Error) {
    return { message: error.message || 'Something went wrong.', detail: error.stack ?? `${error.name}: ${error.message}` };
  }
  if (typeof error === 'string') return { message: error, detail: error };
  return { message: 'Something went wrong.', detail: safeJson(error) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
