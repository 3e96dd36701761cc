/** A logger that keeps what it is told (debug aside), for tests that prove a line was logged. */
import type { LogFields, Logger } from '../../src-main/log/logger.ts';

export interface LoggedLine {
  event: string;
  fields?: LogFields | undefined;
}

export function recordingLogger(lines: LoggedLine[]): Logger {
  const log = (event: string, fields?: LogFields) => void lines.push({ event, fields });
  return { debug: () => undefined, info: log, warn: log, error: log };
}
