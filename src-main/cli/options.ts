/** Argument parsing shared by the commands: node:util parseArgs, with errors that say what to type. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { aeTitle, listenPort, port, typedValue, valueProblem } from '../api/schemas/values.ts';
import type { DestinationTls } from '../api/types/routing.ts';
import type { PeerAddress } from '../dicom/peer-address.ts';
import { UsageError } from './usage-error.ts';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A DICOM node the user typed as AE@HOST:PORT (IPv6 in brackets). */
export function parsePeerAddress(text: string): PeerAddress {
  const match = /^([^@]+)@(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a DICOM node; expected AE@HOST:PORT, e.g. PACS@10.0.0.5:104`);
  // The AE title and port are refused in the words the config file and the API use for them.
  const problem = valueProblem(aeTitle, match[1]) ?? valueProblem(port, Number(match[3]));
  if (problem) throw new UsageError(`"${text}": ${problem}`);
  return { aeTitle: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]) };
}

/**
 * A flag's value checked by the schema the config file and the API use for the same value, so it
 * is refused with the same words: "--port: must be a port number 0-65535 (…), got 70000".
 */
export function parseFlag<T>(schema: z.ZodType<T>, value: string, flag: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
  return parsed.data;
}

/** Numbers arrive as text; the schema sees the number, as it would in a config file. */
export function parseNumberFlag(schema: z.ZodType<number>, value: string, flag: string): number {
  return parseFlag(z.preprocess(typedValue, schema), value, flag);
}

export function parsePort(value: string, flag: string): number {
  return parseNumberFlag(listenPort, value, flag);
}

export function parseBoolean(value: string, flag: string): boolean {
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  throw new UsageError(`${flag} must be true or false, not "${value}"`);
}

export function parseAeTitle(value: string, flag: string): string {
  return parseFlag(aeTitle, value, flag);
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
