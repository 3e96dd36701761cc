/**
 * A routing rule as the editor holds it (every field as form text, each matcher as a kind plus
 * text) and its conversion back to the Rule the engine takes. Validation here catches what a
 * form can know, with the engine's value schemas (a UID, a regular expression, seconds are refused
 * in the words the config file uses); the engine checks the rest (which keywords exist) and its
 * error names the rule and the field.
 */
import {
  attributeKeySyntaxProblem,
  regex,
  seconds,
  typedValue,
  uid,
  valueProblem,
  type Rule,
  type RuleMatch,
  type ValueMatcher,
} from '../../../../src-main/api/contract.ts';

export type MatcherKind = 'any' | 'exact' | 'list' | 'glob' | 'regex';

export interface MatcherDraft {
  kind: MatcherKind;
  /** exact/glob/regex: the pattern; list: the values separated by commas. */
  text: string;
}

export interface TagRowDraft {
  key: string;
  matcher: MatcherDraft;
}

export type SopClassKind = 'any' | 'images' | 'list';

export interface RuleDraft {
  name: string;
  enabled: boolean;
  callingAe: MatcherDraft;
  calledAe: MatcherDraft;
  peerAddress: MatcherDraft;
  modality: MatcherDraft;
  sopClassKind: SopClassKind;
  /** SOP class UIDs, separated by commas, spaces or new lines. */
  sopClassList: string;
  tags: TagRowDraft[];
  forward: string[];
  /** Empty: forward each instance as it arrives. */
  studyQuietSeconds: string;
}

export const MATCHED_FIELDS = ['callingAe', 'calledAe', 'peerAddress', 'modality'] as const;
export type MatchedField = (typeof MATCHED_FIELDS)[number];

export const MATCHED_FIELD_LABELS: Record<MatchedField, string> = {
  callingAe: 'Calling AE title',
  calledAe: 'Called AE title',
  peerAddress: 'Peer address',
  modality: 'Modality',
};

export const MATCHER_KIND_LABELS: Record<MatcherKind, string> = {
  any: 'any value',
  exact: 'is exactly',
  list: 'is one of',
  glob: 'matches pattern',
  regex: 'matches regular expression',
};

export type RuleErrors = Partial<Record<MatchedField | 'name' | 'sopClassList' | 'forward' | 'studyQuietSeconds' | `tag${number}`, string>>;

export function emptyRuleDraft(): RuleDraft {
  return {
    name: '',
    enabled: true,
    callingAe: { kind: 'any', text: '' },
    calledAe: { kind: 'any', text: '' },
    peerAddress: { kind: 'any', text: '' },
    modality: { kind: 'any', text: '' },
    sopClassKind: 'any',
    sopClassList: '',
    tags: [],
    forward: [],
    studyQuietSeconds: '',
  };
}

export function matcherDraftOf(matcher: ValueMatcher | undefined): MatcherDraft {
  if (matcher === undefined) return { kind: 'any', text: '' };
  if (typeof matcher === 'string') return { kind: 'exact', text: matcher };
  if (Array.isArray(matcher)) return { kind: 'list', text: matcher.join(', ') };
  if ('glob' in matcher) return { kind: 'glob', text: matcher.glob };
  return { kind: 'regex', text: matcher.regex };
}

export function matcherOf(draft: MatcherDraft): ValueMatcher | undefined {
  switch (draft.kind) {
    case 'any':
      return undefined;
    case 'exact':
      return draft.text;
    case 'list':
      return listItems(draft.text, /,/);
    case 'glob':
      return { glob: draft.text };
    case 'regex':
      return { regex: draft.text };
  }
}

export function ruleDraftOf(rule: Rule): RuleDraft {
  const sopClass = rule.match.sopClass;
  return {
    name: rule.name,
    enabled: rule.enabled,
    callingAe: matcherDraftOf(rule.match.callingAe),
    calledAe: matcherDraftOf(rule.match.calledAe),
    peerAddress: matcherDraftOf(rule.match.peerAddress),
    modality: matcherDraftOf(rule.match.modality),
    sopClassKind: Array.isArray(sopClass) ? 'list' : (sopClass ?? 'any'),
    sopClassList: Array.isArray(sopClass) ? sopClass.join('\n') : '',
    tags: Object.entries(rule.match.tags ?? {}).map(([key, matcher]) => ({ key, matcher: matcherDraftOf(matcher) })),
    forward: [...rule.forward],
    studyQuietSeconds: rule.studyQuietSeconds === undefined ? '' : String(rule.studyQuietSeconds),
  };
}

/** The rule to save; call only once validateRule found nothing. */
export function ruleOf(draft: RuleDraft): Rule {
  const match: RuleMatch = {};
  for (const field of MATCHED_FIELDS) {
    const matcher = matcherOf(draft[field]);
    if (matcher !== undefined) match[field] = matcher;
  }
  if (draft.sopClassKind === 'images') match.sopClass = 'images';
  if (draft.sopClassKind === 'list') match.sopClass = listItems(draft.sopClassList, /[\s,]+/);
  if (draft.tags.length > 0) {
    match.tags = {};
    for (const row of draft.tags) match.tags[row.key.trim()] = matcherOf(row.matcher) ?? '';
  }
  const quiet = draft.studyQuietSeconds.trim();
  return {
    name: draft.name.trim(),
    enabled: draft.enabled,
    match,
    forward: [...draft.forward],
    studyQuietSeconds: quiet === '' ? undefined : Number(quiet),
  };
}

export function validateRule(draft: RuleDraft, otherNames: string[]): RuleErrors {
  const errors: RuleErrors = {};
  const name = draft.name.trim();
  if (name === '') errors.name = 'Enter a name for the rule.';
  else if (otherNames.includes(name)) errors.name = `There is already a rule called "${name}".`;
  for (const field of MATCHED_FIELDS) {
    const problem = matcherProblem(draft[field]);
    if (problem) errors[field] = problem;
  }
  if (draft.sopClassKind === 'list') {
    const uids = listItems(draft.sopClassList, /[\s,]+/);
    if (uids.length === 0) errors.sopClassList = 'List at least one SOP class UID.';
    else {
      const problem = uids.map((value) => valueProblem(uid, value)).find((p) => p !== undefined);
      if (problem) errors.sopClassList = problem;
    }
  }
  const keys = new Set<string>();
  draft.tags.forEach((row, index) => {
    const key = row.key.trim();
    const problem =
      key === ''
        ? 'Enter a keyword (PatientID) or a tag ((0010,0020)).'
        : keys.has(key)
          ? `"${key}" is already listed.`
          : attributeKeySyntaxProblem(key)
            ? 'Use a keyword such as PatientID or a tag such as (0010,0020).'
            : row.matcher.kind === 'any'
              ? 'Choose how the value must match.'
              : matcherProblem(row.matcher);
    keys.add(key);
    if (problem) errors[`tag${index}`] = problem;
  });
  if (draft.forward.length === 0) errors.forward = 'Choose at least one destination.';
  const quiet = draft.studyQuietSeconds.trim();
  const quietProblem = quiet === '' ? undefined : valueProblem(seconds, typedValue(quiet));
  if (quietProblem) errors.studyQuietSeconds = quietProblem;
  return errors;
}

export function matcherProblem(draft: MatcherDraft): string | undefined {
  switch (draft.kind) {
    case 'any':
    case 'exact':
      return undefined;
    case 'list':
      return listItems(draft.text, /,/).length === 0 ? 'List at least one value, separated by commas.' : undefined;
    case 'glob':
      return draft.text === '' ? 'Enter a pattern (* matches anything, ? one character).' : undefined;
    case 'regex':
      return valueProblem(regex, draft.text);
  }
}

/** A one-line summary of what a rule matches, for the list. */
export function describeMatch(match: RuleMatch): string {
  const parts: string[] = [];
  for (const field of MATCHED_FIELDS) {
    const matcher = match[field];
    if (matcher !== undefined) parts.push(`${MATCHED_FIELD_LABELS[field]} ${describeMatcher(matcher)}`);
  }
  if (match.sopClass === 'images') parts.push('images only');
  else if (Array.isArray(match.sopClass)) parts.push(`SOP class one of ${match.sopClass.length}`);
  for (const [key, matcher] of Object.entries(match.tags ?? {})) parts.push(`${key} ${describeMatcher(matcher)}`);
  return parts.length === 0 ? 'every instance' : parts.join('; ');
}

export function describeMatcher(matcher: ValueMatcher): string {
  if (typeof matcher === 'string') return `= "${matcher}"`;
  if (Array.isArray(matcher)) return `one of ${matcher.map((value) => `"${value}"`).join(', ')}`;
  if ('glob' in matcher) return `like ${matcher.glob}`;
  return `matches /${matcher.regex}/`;
}

function listItems(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
