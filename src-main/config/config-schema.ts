/**
 * The config file as it is written (camelCase, seconds, `ae`, `maxPdu`): what may appear where,
 * and what each value must be. Every schema carries its own message, phrased as "must be …, got …",
 * because the message is the only documentation a user sees when the service refuses to start.
 * Defaults are not applied here but in load-config.ts, so this schema also describes partial edits.
 */
import { z } from 'zod';
import { uidProblem } from '../dicom/uid.ts';
import { attributeKeyProblem } from './attribute-keys.ts';

/** How a value appears after "got" in a message. */
export function shown(value: unknown): string {
  if (value === null) return 'nothing (an empty value)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return String(value);
}

/**
 * The message for a value that is missing or not what `description` says. YAML reads 0010 or 1.2
 * as numbers; where text is expected the hint says how to keep them text.
 */
function must(description: string, expects?: 'text' | 'number') {
  return {
    error: (issue: { input?: unknown }) => {
      if (issue.input === undefined) return 'is required';
      return `must be ${description}, got ${shown(issue.input)}${quotingHint(issue.input, expects)}`;
    },
  };
}

function quotingHint(input: unknown, expects: 'text' | 'number' | undefined): string {
  if (expects === 'text' && typeof input === 'number') return ' (a number: put it in quotes)';
  if (expects === 'number' && typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input)))
    return ' (text: remove the quotes)';
  return '';
}

// --- values ------------------------------------------------------------------------------------

/**
 * Node clamps longer timers to 1 ms (TimeoutOverflowWarning), so a timeout or wait longer than
 * 2^31-1 ms would fire at once instead of never.
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const SECONDS = `a number of seconds greater than 0 and at most ${MAX_SECONDS}`;
const seconds = z.number(must(SECONDS, 'number')).gt(0, must(SECONDS)).lte(MAX_SECONDS, must(SECONDS));

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, what = 'a whole number') {
  const description = max === Number.MAX_SAFE_INTEGER ? `${what} of at least ${min}` : `${what} ${min}-${max}`;
  return z.number(must(description, 'number')).int(must(description)).min(min, must(description)).max(max, must(description));
}

function port(min: 0 | 1) {
  const description = min === 0 ? 'a port number 0-65535 (0: let the system choose)' : 'a port number 1-65535';
  return z.number(must(description, 'number')).int(must(description)).min(min, must(description)).max(65535, must(description));
}

/** PDU lengths travel as 32-bit values; below 4 KiB every instance becomes thousands of PDUs. */
const maxPdu = wholeNumber(4096, 0xffffffff, 'a PDU length in bytes,');

const flag = z.boolean(must('true or false'));

const text = z.string(must('text', 'text'));

/** Names are how rules refer to destinations and how logs and the API refer to both. */
const NAME = 'a name (text, not empty, no leading or trailing spaces)';
const name = z.string(must(NAME, 'text')).refine((s) => s !== '' && s === s.trim(), must(NAME));

const HOST = 'a host name or IP address';
const host = z.string(must(HOST, 'text')).refine((s) => s !== '' && !/\s/.test(s), must(HOST));

const FOLDER = 'a folder path';
const folder = z.string(must(FOLDER, 'text')).refine((s) => s.trim() !== '', must(FOLDER));

/** PS3.5 AE: 1-16 characters of the default repertoire, no backslash; leading and trailing spaces do not count. */
const aeTitle = z
  .string(must('an AE title (text of 1-16 characters)', 'text'))
  .superRefine((value, ctx) => {
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > 16) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an AE title of 1-16 characters, got ${shown(value)} (${trimmed.length} characters)`,
      });
    } else if (/[\\\p{Cc}]/u.test(trimmed)) {
      ctx.addIssue({ code: 'custom', message: `must be an AE title without backslash or control characters, got ${shown(value)}` });
    }
  })
  .transform((value) => value.trim());

const uid = z.string(must('a UID (text)', 'text')).superRefine((value, ctx) => {
  const problem = uidProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${shown(value)} is not a valid UID: it ${problem}` });
});

const regex = z.string(must('a regular expression (text)', 'text')).superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    // V8 says "Invalid regular expression: /([/: Unterminated group"; keep the reason only.
    const reason = /^Invalid regular expression: \/[\s\S]*\/[a-z]*: ([\s\S]*)$/.exec((err as Error).message)?.[1] ?? (err as Error).message;
    ctx.addIssue({ code: 'custom', message: `invalid regular expression ${shown(source)}: ${reason}` });
  }
});

// --- rules -------------------------------------------------------------------------------------

const MATCHER = 'text, a list of text, { glob: "…" } or { regex: "…" }';

/** { glob } or { regex }: one object schema, so a misspelt key gets "did you mean" instead of a union shrug. */
const patternMatcher = z
  .strictObject(
    { glob: z.string(must('a glob pattern (text; * and ? are wildcards)', 'text')).optional(), regex: regex.optional() },
    must(MATCHER),
  )
  .superRefine((pattern, ctx) => {
    // An unknown key (already reported, with "did you mean") also leaves the pattern empty.
    if (pattern.glob === undefined && pattern.regex === undefined && ctx.issues.length === 0)
      ctx.addIssue({ code: 'custom', message: `must be ${MATCHER}, got an empty mapping` });
    if (pattern.glob !== undefined && pattern.regex !== undefined)
      ctx.addIssue({ code: 'custom', message: 'must have either glob or regex, not both' });
  })
  .transform((pattern): { glob: string } | { regex: string } =>
    pattern.glob !== undefined ? { glob: pattern.glob } : { regex: pattern.regex! },
  );

const matcher = z.union(
  [text, z.array(text, must(MATCHER)).min(1, { error: 'must list at least one value' }), patternMatcher],
  must(MATCHER, 'text'),
);

const SOP_CLASS = '"any", "images" or a list of SOP class UIDs';
const sopClass = z.union(
  [
    z.literal('any', must(SOP_CLASS)),
    z.literal('images', must(SOP_CLASS)),
    z.array(uid, must(SOP_CLASS)).min(1, { error: 'must list at least one SOP class UID' }),
  ],
  must(SOP_CLASS),
);

const attributeKey = z.string().superRefine((key, ctx) => {
  const problem = attributeKeyProblem(key);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const ruleMatch = z.strictObject(
  {
    callingAe: matcher.optional(),
    calledAe: matcher.optional(),
    peerAddress: matcher.optional(),
    sopClass: sopClass.optional(),
    modality: matcher.optional(),
    tags: z.record(attributeKey, matcher, must('a mapping of attribute keyword or tag to what it must match')).optional(),
  },
  {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined
        ? 'is required (write "match: {}" to match every instance)'
        : `must be a mapping of what to match (callingAe, calledAe, peerAddress, sopClass, modality, tags), got ${shown(issue.input)}`,
  },
);

export const ruleSchema = z.strictObject(
  {
    name,
    enabled: flag.optional(),
    match: ruleMatch,
    forward: z.array(name, must('a list of destination names')).min(1, { error: 'must name at least one destination' }),
    studyQuietSeconds: seconds.optional(),
  },
  must('a rule (a mapping with name, match and forward)'),
);

// --- TLS ---------------------------------------------------------------------------------------

const PEM = 'the path of a PEM file';
const pemFile = z.string(must(PEM, 'text')).refine((s) => s.trim() !== '', must(PEM));

/** `tls:` at the top level: the TLS listener of serve (DICOM TLS, PS3.15 Annex B). */
const listenerTls = z.strictObject(
  {
    port: port(0),
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
    port: port(1),
    callingAe: aeTitle.optional(),
    maxPdu: maxPdu.optional(),
    connectTimeoutSeconds: seconds.optional(),
    dimseTimeoutSeconds: seconds.optional(),
    maxAssociations: wholeNumber(1).optional(),
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
    port: port(0).optional(),
    storage: folder.optional(),
    maxPdu: maxPdu.optional(),
    allowCallingAes: z.array(aeTitle, must('a list of AE titles')).optional(),
    maxAssociations: wholeNumber(1).optional(),
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
