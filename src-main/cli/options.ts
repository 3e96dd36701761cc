/** Argument parsing shared by the commands: node:util parseArgs, with errors that say what to type. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.ts';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`${flag} must be a port number 0-65535 (0: let the system choose), not "${value}"`);
  return port;
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  return n;
}

export function parseBoolean(value: string, flag: string): boolean {
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  throw new UsageError(`${flag} must be true or false, not "${value}"`);
}

export function parseAeTitle(value: string, flag: string): string {
  const ae = value.trim();
  if (ae.length === 0 || ae.length > 16 || /[\\\x00-\x1f]/.test(ae)) {
    throw new UsageError(`${flag} must be an AE title of 1-16 characters without backslash or control characters, not "${value}"`);
  }
  return ae;
}
