/**
 * A destination as the API takes it (the contract's `Destination`: timeouts in milliseconds,
 * engine field names), built from the same value schemas as the config file's destinations.
 */
import { z } from 'zod';
import { must } from './value-messages.ts';
import { aeTitle, flag, host, maxAssociations, maxPdu, name, port, text, wholeNumber } from './values.ts';

/** Node's timers hold at most 2^31-1 ms (see MAX_SECONDS). */
const milliseconds = wholeNumber(1, 2 ** 31 - 1, 'a number of milliseconds');

const PATH = 'the path of a PEM file';
const pemPath = z.string(must(PATH, 'text')).refine((s) => s.trim() !== '' && s.length <= 4096, must(PATH));

export const savedDestinationSchema = z.strictObject(
  {
    name,
    aeTitle,
    host,
    port,
    callingAe: aeTitle.optional(),
    maxPduLength: maxPdu,
    connectTimeoutMs: milliseconds,
    dimseTimeoutMs: milliseconds,
    maxAssociations,
    enabled: flag,
    allowTranscoding: flag,
    // Paths only: the passphrase never crosses to the renderer, and one left out is kept (gateway-api.ts).
    tls: z
      .strictObject(
        { ca: pemPath.optional(), cert: pemPath.optional(), key: pemPath.optional(), passphrase: text.optional(), verifyServer: flag },
        must('a mapping of ca, cert, key, passphrase, verifyServer'),
      )
      .optional(),
  },
  must('a destination (name, aeTitle, host, port, …)'),
);

export type SavedDestination = z.output<typeof savedDestinationSchema>;
