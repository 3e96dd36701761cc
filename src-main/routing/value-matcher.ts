/**
 * One rule field's matcher, compiled once: exact text, any of a list, a glob or a regular expression.
 *
 * How a value is tested (the same for every field a rule reads):
 * - Trailing spaces and NULs of the value are ignored (DICOM pads values to even length), and
 *   trailing spaces of an exact or glob pattern too. Matching is case-sensitive.
 * - A multi-valued value ("ORIGINAL\PRIMARY\AXIAL") matches when the whole text or any one of its
 *   backslash-separated values matches, so both `AXIAL` and `ORIGINAL\PRIMARY\AXIAL` match it.
 * - A missing value is tested as the empty string: only a matcher that accepts empty text matches
 *   it (exact '', a list holding '', glob '*', regex /^$/ or any regex that matches ''). The
 *   store keeps no empty values, so "present but empty" and "missing" are the same to a rule.
 * - A glob matches the whole value: `*` any run of characters (none included), `?` exactly one;
 *   every other character stands for itself.
 * - A regex is a JavaScript regular expression searched in the value (RegExp.test, no flags):
 *   anchor it with ^ and $ to match the whole value.
 */
import type { ValueMatcher } from '../api/types/routing.ts';

export type CompiledValueMatcher = (value: string | undefined) => boolean;

/** `field` names where the matcher sits ("match.modality") for errors: "match.modality.regex: invalid regular expression ...". */
export function compileValueMatcher(matcher: ValueMatcher, field: string): CompiledValueMatcher {
  const test = compileTest(matcher, field);
  return (value) => candidates(value).some(test);
}

function compileTest(matcher: ValueMatcher, field: string): (text: string) => boolean {
  if (typeof matcher === 'string') {
    const expected = trimPattern(matcher);
    return (text) => text === expected;
  }
  if (Array.isArray(matcher)) {
    if (matcher.length === 0) throw new Error(`${field}: an empty list matches nothing; leave the field out to match any value`);
    const bad = matcher.findIndex((entry) => typeof entry !== 'string');
    if (bad >= 0) throw new Error(`${field}[${bad}]: expected a string, got ${describe(matcher[bad])}`);
    const expected = new Set(matcher.map(trimPattern));
    return (text) => expected.has(text);
  }
  if (matcher !== null && typeof matcher === 'object') {
    const keys = Object.keys(matcher);
    if (keys.length === 1 && 'glob' in matcher && typeof matcher.glob === 'string') {
      const pattern = globToRegExp(trimPattern(matcher.glob));
      return (text) => pattern.test(text);
    }
    if (keys.length === 1 && 'regex' in matcher && typeof matcher.regex === 'string') {
      const pattern = compileRegex(matcher.regex, `${field}.regex`);
      return (text) => pattern.test(text);
    }
  }
  throw new Error(`${field}: expected a string, a list of strings, { glob: "..." } or { regex: "..." }, got ${describe(matcher)}`);
}

function compileRegex(source: string, field: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new Error(`${field}: invalid regular expression ${JSON.stringify(source)} (${(err as Error).message})`, { cause: err });
  }
}

/** Anchored at both ends; `u` so that `?` is one character even outside the BMP. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+(){}[\]/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

/** The texts one value is tested as: itself and, when multi-valued, each of its values. */
function candidates(value: string | undefined): string[] {
  if (value === undefined) return [''];
  const whole = trimValue(value);
  if (!whole.includes('\\')) return [whole];
  return [whole, ...whole.split('\\').map(trimValue)];
}

function trimValue(text: string): string {
  return text.replace(/[ \0]+$/, '');
}

function trimPattern(text: string): string {
  return text.replace(/ +$/, '');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object')
    return `an object with ${
      Object.keys(value as object)
        .map((k) => JSON.stringify(k))
        .join(', ') || 'no keys'
    }`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
