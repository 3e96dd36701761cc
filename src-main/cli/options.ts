/** Argument parsing shared by the commands: node:util parseArgs, with errors that say what to type. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import type { DestinationTls } from '../tls/tls-settings.ts';
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
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`${flag} must be a port number 0-65535 (0: let the system choose), not "${value}"`);
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
  if (ae.length === 0 || ae.length > 16 || /[\\\p{Cc}]/u.test(ae)) {
    throw new UsageError(`${flag} must be an AE title of 1-16 characters without backslash or control characters, not "${value}"`);
  }
  return ae;
}

/** The TLS flags of the commands that connect out (send, echo). */
export const CLIENT_TLS_OPTIONS = {
  tls: { type: 'boolean' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-no-verify': { type: 'boolean' },
} as const;

/** DICOM TLS to the node when --tls (or any --tls-* flag) is given; undefined: plain TCP. */
export function clientTlsFromFlags(values: {
  tls?: boolean;
  'tls-ca'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'tls-no-verify'?: boolean;
}): DestinationTls | undefined {
  const { tls, 'tls-ca': ca, 'tls-cert': cert, 'tls-key': key, 'tls-no-verify': noVerify } = values;
  if (!tls && ca === undefined && cert === undefined && key === undefined && !noVerify) return undefined;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(p));
  return { ca: path(ca), cert: path(cert), key: path(key), passphrase: undefined, verifyServer: !noVerify };
}
