/**
 * Turns whatever a rejected invoke() gives us into the two things the error panel shows: words for
 * a radiographer and the technical detail. Transports reject with an object carrying
 * { message, detail } (CommandFailure); anything else is an unexpected renderer-side failure.
 */
import type { CommandFailure } from '../../../src-main/api/contract.ts';

export function toFailure(error: unknown): CommandFailure {
  if (isFailureLike(error)) return { message: error.message, detail: error.detail };
  if (error instanceof Error) {
    return { message: error.message || 'Something went wrong.', detail: error.stack ?? `${error.name}: ${error.message}` };
  }
  if (typeof error === 'string') return { message: error, detail: error };
  return { message: 'Something went wrong.', detail: safeJson(error) };
}

function isFailureLike(value: unknown): value is CommandFailure {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && typeof v.detail === 'string';
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
