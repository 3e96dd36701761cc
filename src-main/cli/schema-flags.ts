/**
 * Flags checked by the zod schema the config file and the API use for the same value, so they are
 * refused with the same words: "--port: must be a port number 0-65535 (…), got 70000". Apart from
 * options.ts because zod is large to load and echo needs none of it.
 */
import { z } from 'zod';
import { listenPort, typedValue } from '../api/schemas/values.ts';
import { UsageError } from './usage-error.ts';

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
