/**
 * One zod schema per value the gateway takes from a user: AE title, UID, port, PDU length,
 * seconds, names. The config loader, the API, the CLI and the renderer's forms all check with
 * these, so they accept the same values and refuse the rest with the same words. Nothing here may
 * import a Node module: the renderer bundles this file (through contract.ts).
 */
import { z } from 'zod';
import { uidProblem } from '../../dicom/uid.ts';
import { must, shown } from './value-messages.ts';
import { AE_TITLE, aeTitleProblem, portDescription, portProblem, type LowestPort } from './value-rules.ts';

// The renderer's Content-Security-Policy forbids eval, and zod probes for it (new Function) to
// compile object schemas; even the caught refusal is reported as a CSP violation. The schemas are
// small and checked rarely, so they run interpreted everywhere.
z.config({ jitless: true });

/**
 * Node clamps longer timers to 1 ms (TimeoutOverflowWarning), so a timeout or wait longer than
 * 2^31-1 ms would fire at once instead of never.
 */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const SECONDS = `a number of seconds greater than 0 and at most ${MAX_SECONDS}`;
export const seconds = z.number(must(SECONDS, 'number')).gt(0, must(SECONDS)).lte(MAX_SECONDS, must(SECONDS));

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, what = 'a whole number') {
  const description = max === Number.MAX_SAFE_INTEGER ? `${what} of at least ${min}` : `${what} ${min}-${max}`;
  return z.number(must(description, 'number')).int(must(description)).min(min, must(description)).max(max, must(description));
}

/** A value refused by a rule of value-rules.ts, with the rule's words. */
function checkedBy<T>(rule: (value: T) => string | undefined) {
  return (value: T, ctx: z.RefinementCtx) => {
    const problem = rule(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

function portNumber(lowest: LowestPort) {
  return z.number(must(portDescription(lowest), 'number')).superRefine(checkedBy((value: number) => portProblem(value, lowest)));
}

/** A port to connect to. */
export const port = portNumber(1);
/** A port to listen on: 0 lets the system choose. */
export const listenPort = portNumber(0);

/** PDU lengths travel as 32-bit values; below 4 KiB every instance becomes thousands of PDUs. */
export const maxPdu = wholeNumber(4096, 0xffffffff, 'a PDU length in bytes,');

export const flag = z.boolean(must('true or false'));

export const text = z.string(must('text', 'text'));

/** Names are how rules refer to destinations and how logs and the API refer to both. */
const NAME = 'a name (text, not empty, no leading or trailing spaces)';
export const name = z.string(must(NAME, 'text')).refine((s) => s !== '' && s === s.trim(), must(NAME));

const HOST = 'a host name or IP address';
const HOST_NO_PORT = 'a host name or IP address without a port (the port is a value of its own)';
/**
 * A host to connect to or listen on. An IPv6 address may come in brackets, as in a URL and in
 * AE@[HOST]:PORT ("[fe80::1]"), and is kept without them; "10.0.0.5:104" is refused for its port
 * (an easy slip, which would otherwise fail later as a name that does not resolve).
 */
export const host = z
  .string(must(HOST, 'text'))
  .refine((s) => s !== '' && !/\s/.test(s), must(HOST))
  .refine((s) => !/^([^:[\]]+|\[[^\]]*\]):\d*$/.test(s), must(HOST_NO_PORT))
  .transform((s) => (/^\[[^\]]*:[^\]]*\]$/.test(s) ? s.slice(1, -1) : s))
  .refine((s) => !/[[\]]/.test(s), must(HOST));

const FOLDER = 'a folder path';
export const folder = z.string(must(FOLDER, 'text')).refine((s) => s.trim() !== '', must(FOLDER));

/** PS3.5 AE (value-rules.ts); kept without its leading and trailing spaces, which do not count. */
export const aeTitle = z
  .string(must(AE_TITLE, 'text'))
  .superRefine(checkedBy(aeTitleProblem))
  .transform((value) => value.trim());

export const uid = z.string(must('a UID (text)', 'text')).superRefine((value, ctx) => {
  const problem = uidProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${shown(value)} is not a valid UID: it ${problem}` });
});

export const regex = z.string(must('a regular expression (text)', 'text')).superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    // V8 says "Invalid regular expression: /([/: Unterminated group"; keep the reason only.
    const reason = /^Invalid regular expression: \/[\s\S]*\/[a-z]*: ([\s\S]*)$/.exec((err as Error).message)?.[1] ?? (err as Error).message;
    ctx.addIssue({ code: 'custom', message: `invalid regular expression ${shown(source)}: ${reason}` });
  }
});

export type AeTitle = z.output<typeof aeTitle>;
export type Uid = z.output<typeof uid>;
export type Port = z.output<typeof port>;

/** Why `value` is refused by `schema` (its first problem), or undefined when it is accepted. */
export function valueProblem(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/**
 * A value typed as text (a form field, a command-line flag) as the schemas take it: a number when
 * it reads as one, the text otherwise, so "70000" and "abc" are refused with the same words as
 * 70000 and "abc" in a config file.
 */
export function typedValue(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

/** Associations open at once, in or out: more than this would starve the machine of sockets and threads. */
export const maxAssociations = wholeNumber(1, 1000, 'a number of associations');
