/**
 * A routing rule, as the config file and the API take it. Which attribute keywords exist is the
 * engine's to know (it holds the DICOM dictionary), so the key check is passed in: the engine's
 * schemas check keywords against the full dictionary, the renderer's against their syntax only.
 */
import { z } from 'zod';
import { must, shown } from './value-messages.ts';
import { flag, name, regex, seconds, text, uid } from './values.ts';

/** Why `key` names no element, or undefined when it does. */
export type AttributeKeyCheck = (key: string) => string | undefined;

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

export const valueMatcher = z.union(
  [text, z.array(text, must(MATCHER)).min(1, { error: 'must list at least one value' }), patternMatcher],
  must(MATCHER, 'text'),
);

const SOP_CLASS = '"any", "images" or a list of SOP class UIDs';
export const sopClass = z.union(
  [
    z.literal('any', must(SOP_CLASS)),
    z.literal('images', must(SOP_CLASS)),
    z.array(uid, must(SOP_CLASS)).min(1, { error: 'must list at least one SOP class UID' }),
  ],
  must(SOP_CLASS),
);

function attributeKey(check: AttributeKeyCheck) {
  return z.string().superRefine((key, ctx) => {
    const problem = check(key);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function ruleMatch(check: AttributeKeyCheck) {
  return z.strictObject(
    {
      callingAe: valueMatcher.optional(),
      calledAe: valueMatcher.optional(),
      peerAddress: valueMatcher.optional(),
      /** 'any', 'images' (image storage SOP classes), or a list of SOP class UIDs. */
      sopClass: sopClass.optional(),
      modality: valueMatcher.optional(),
      /** Any other element by keyword ("PatientID") or tag ("(0010,0020)"), read at store time. */
      tags: z.record(attributeKey(check), valueMatcher, must('a mapping of attribute keyword or tag to what it must match')).optional(),
    },
    {
      error: (issue: { input?: unknown }) =>
        issue.input === undefined
          ? 'is required (write "match: {}" to match every instance)'
          : `must be a mapping of what to match (callingAe, calledAe, peerAddress, sopClass, modality, tags), got ${shown(issue.input)}`,
    },
  );
}

/** A rule as written in a config file: `enabled` may be left out (it defaults to true). */
export function ruleSchema(check: AttributeKeyCheck) {
  return z.strictObject(
    {
      name,
      enabled: flag.optional(),
      match: ruleMatch(check),
      /** Destination names. */
      forward: z.array(name, must('a list of destination names')).min(1, { error: 'must name at least one destination' }),
      /** When set, the whole study is forwarded once it has been quiet for this many seconds. */
      studyQuietSeconds: seconds.optional(),
    },
    must('a rule (a mapping with name, match and forward)'),
  );
}

/** A rule as the API takes it: every field spelled out, as the renderer holds it. */
export function savedRuleSchema(check: AttributeKeyCheck) {
  return ruleSchema(check).extend({ enabled: flag });
}

/**
 * The renderer has no dictionary: it checks that a key is written as a keyword or a tag, and the
 * engine's schema says which keyword was meant when the name is not in the dictionary.
 */
export const attributeKeySyntaxProblem: AttributeKeyCheck = (key) =>
  /^([A-Za-z][A-Za-z0-9]*|\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\))$/.test(key)
    ? undefined
    : 'not a DICOM attribute keyword or a tag "(gggg,eeee)"';
