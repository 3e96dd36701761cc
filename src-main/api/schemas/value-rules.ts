/**
 * The rules of the two values every command that connects out checks first (an AE title, a port),
 * as plain functions. values.ts builds the zod schemas for them on these, so the config file, the
 * API, the forms and the CLI refuse them in the same words; `dicom-gateway echo` checks its
 * AE@HOST:PORT with these alone, because loading zod (400 KB) costs it about 50 ms of the 150 ms
 * it may take to start (issue 8, docs/benchmarks.md). Nothing here may import zod or a Node module.
 */
import { refusal, shown } from './value-messages.ts';

export const AE_TITLE = 'an AE title (text of 1-16 characters)';

/** PS3.5 AE: 1-16 characters of the default repertoire, no backslash; leading and trailing spaces do not count. */
export function aeTitleProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 16) {
    return `must be an AE title of 1-16 characters, got ${shown(value)} (${trimmed.length} characters)`;
  }
  if (/[\\\p{Cc}]/u.test(trimmed)) return `must be an AE title without backslash or control characters, got ${shown(value)}`;
  return undefined;
}

/** A port to connect to (1) or to listen on (0: let the system choose). */
export type LowestPort = 0 | 1;

export function portDescription(lowest: LowestPort): string {
  return lowest === 0 ? 'a port number 0-65535 (0: let the system choose)' : 'a port number 1-65535';
}

export function portProblem(value: number, lowest: LowestPort): string | undefined {
  return Number.isInteger(value) && value >= lowest && value <= 65535 ? undefined : refusal(portDescription(lowest), value, 'number');
}
