/**
 * Argument parsing shared by the commands: node:util parseArgs, with errors that say what to type.
 * Nothing here loads zod, so echo starts without it; flags checked by a zod schema are parsed in
 * schema-flags.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { aeTitleProblem, portProblem } from '../api/schemas/value-rules.ts';
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
  const problem = aeTitleProblem(match[1]!) ?? portProblem(Number(match[3]), 1);
  if (problem) throw new UsageError(`"${text}": ${problem}`);
  return { aeTitle: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]) };
}

export function parseBoolean(value: string, flag: string): boolean {
  if (value === 'true' || value === 'yes' || value === '1') return true;
  if (value === 'false' || value === 'no' || value === '0') return false;
  throw new UsageError(`${flag} must be true or false, not "${value}"`);
}

/** An AE title flag, refused in the words of the config file's and the API's AE title; kept trimmed as they keep it. */
export function parseAeTitle(value: string, flag: string): string {
  const problem = aeTitleProblem(value);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return value.trim();
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
