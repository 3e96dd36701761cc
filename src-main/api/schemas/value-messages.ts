/**
 * How every value schema words its refusal: "must be …, got …". The config file, the CLI, the API
 * and the renderer's forms all show these words, so a value refused in one place is refused with
 * the same sentence everywhere (only the prefix naming the field or flag differs).
 */

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
export function must(description: string, expects?: 'text' | 'number') {
  return { error: (issue: { input?: unknown }) => refusal(description, issue.input, expects) };
}

/** The sentence itself, for a rule checked without zod (value-rules.ts). */
export function refusal(description: string, input: unknown, expects?: 'text' | 'number'): string {
  if (input === undefined) return 'is required';
  return `must be ${description}, got ${shown(input)}${quotingHint(input, expects)}`;
}

function quotingHint(input: unknown, expects: 'text' | 'number' | undefined): string {
  if (expects === 'text' && typeof input === 'number') return ' (a number: put it in quotes)';
  if (expects === 'number' && typeof input === 'string' && input.trim() !== '' && Number.isFinite(Number(input)))
    return ' (text: remove the quotes)';
  return '';
}
