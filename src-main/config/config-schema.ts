/**
 * The config file as it is written (camelCase, seconds, `ae`, `maxPdu`): what may appear where,
 * and what each value must be. Every schema carries its own message, phrased as "must be …, got …",
 * because the message is the only documentation a user sees when the service refuses to start.
 * Defaults are not applied here but in load-config.ts, so this schema also describes partial edits.
 */
import { z } from 'zod';
import { ruleSchema as ruleSchemaChecking } from '../api/schemas/rule-schema.ts';
import { must } from '../api/schemas/value-messages.ts';
import {
  aeTitle,
  flag,
  folder,
  host,
  listenPort,
  maxAssociations,
  maxPdu,
  name,
  port,
  seconds,
  text,
  wholeNumber,
} from '../api/schemas/values.ts';
import { attributeKeyProblem } from './attribute-keys.ts';

// The values themselves (AE title, port, UID, …) are the API's schemas (api/schemas/), shared with
// the CLI and the renderer's forms; this file says where in the file each may appear.

export const ruleSchema = ruleSchemaChecking(attributeKeyProblem);

// --- TLS ---------------------------------------------------------------------------------------

const PEM = 'the path of a PEM file';
const pemFile = z.string(must(PEM, 'text')).refine((s) => s.trim() !== '', must(PEM));

/** `tls:` at the top level: the TLS listener of serve (DICOM TLS, PS3.15 Annex B). */
const listenerTls = z.strictObject(
  {
    port: listenPort,
    cert: pemFile,
    key: pemFile,
    ca: pemFile.optional(),
    passphrase: text.optional(),
    requireClientCert: flag.optional(),
    ciphers: text.optional(),
  },
  must('a mapping of port, cert, key and optionally ca, passphrase, requireClientCert, ciphers'),
);

/** `tls:` in a destination: associations to it go over TLS. */
const destinationTls = z.strictObject(
  { ca: pemFile.optional(), cert: pemFile.optional(), key: pemFile.optional(), passphrase: text.optional(), verifyServer: flag.optional() },
  must('a mapping of ca, cert, key, passphrase, verifyServer (write "tls: {}" for TLS with the system\'s CAs)'),
);

// --- destinations ------------------------------------------------------------------------------

export const destinationSchema = z.strictObject(
  {
    name,
    ae: aeTitle,
    host,
    port,
    callingAe: aeTitle.optional(),
    maxPdu: maxPdu.optional(),
    connectTimeoutSeconds: seconds.optional(),
    dimseTimeoutSeconds: seconds.optional(),
    maxAssociations: maxAssociations.optional(),
    enabled: flag.optional(),
    tls: destinationTls.optional(),
    // true: a file whose own syntax this destination refuses is sent converted (docs/transcoding.md).
    allowTranscoding: flag.optional(),
  },
  must('a destination (a mapping with name, ae, host and port)'),
);

// --- the file ----------------------------------------------------------------------------------

const timeouts = z.strictObject(
  { connectSeconds: seconds.optional(), associationSeconds: seconds.optional(), pduSeconds: seconds.optional() },
  must('a mapping of connectSeconds, associationSeconds, pduSeconds'),
);

const queue = z.strictObject(
  {
    maxAttempts: wholeNumber(1).optional(),
    backoffBaseSeconds: seconds.optional(),
    backoffMaxSeconds: seconds.optional(),
    batchSize: wholeNumber(1).optional(),
    lingerSeconds: seconds.optional(),
  },
  must('a mapping of maxAttempts, backoffBaseSeconds, backoffMaxSeconds, batchSize, lingerSeconds'),
);

export const configFileSchema = z.strictObject(
  {
    ae: aeTitle.optional(),
    host: host.optional(),
    port: listenPort.optional(),
    storage: folder.optional(),
    maxPdu: maxPdu.optional(),
    allowCallingAes: z.array(aeTitle, must('a list of AE titles')).optional(),
    maxAssociations: maxAssociations.optional(),
    acceptUnknownSopClasses: flag.optional(),
    timeouts: timeouts.optional(),
    destinations: z.array(destinationSchema, must('a list of destinations')).optional(),
    rules: z.array(ruleSchema, must('a list of rules')).optional(),
    queue: queue.optional(),
    tls: listenerTls.optional(),
    retentionDays: wholeNumber(0, 36_500, 'a number of days').optional(),
  },
  must('a mapping of settings (ae, port, storage, destinations, rules, queue, …)'),
);

/** A config file that passed the schema: every value well formed, cross-references not yet checked. */
export type ConfigFile = z.output<typeof configFileSchema>;
export type DestinationEntry = z.output<typeof destinationSchema>;
export type RuleEntry = z.output<typeof ruleSchema>;
