/**
 * The checks that span fields, run once every field is well formed on its own: names are unique,
 * rules forward only to destinations that exist, the backoff cap is not below its base, and the
 * rule engine itself accepts every rule.
 */
import { compileRules } from '../routing/rule-matcher.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../routing/routing-types.ts';
import type { Rule } from '../api/types/routing.ts';
import type { ConfigProblem } from './config-error.ts';
import type { ConfigFile } from './config-schema.ts';

export function referenceProblems(file: ConfigFile): ConfigProblem[] {
  return [
    ...duplicateNames(file.destinations ?? [], 'destinations'),
    ...duplicateNames(file.rules ?? [], 'rules'),
    ...forwardProblems(file),
    ...backoffProblems(file),
  ];
}

function duplicateNames(entries: readonly { name: string }[], list: string): ConfigProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  entries.forEach(({ name }, index) => {
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else
      problems.push({
        field: `${list}[${index}].name`,
        message: `"${name}" is already the name of ${list}[${first}]; names must be unique`,
      });
  });
  return problems;
}

function forwardProblems(file: ConfigFile): ConfigProblem[] {
  const known = (file.destinations ?? []).map((d) => d.name);
  const knownText = known.length > 0 ? `known: ${known.join(', ')}` : 'the file defines no destinations';
  const problems: ConfigProblem[] = [];
  (file.rules ?? []).forEach((rule, r) => {
    rule.forward.forEach((name, f) => {
      const field = `rules[${r}].forward[${f}]`;
      if (!known.includes(name)) problems.push({ field, message: `no destination named "${name}" (${knownText})` });
      else if (rule.forward.indexOf(name) !== f) problems.push({ field, message: `"${name}" is listed twice` });
    });
  });
  return problems;
}

function backoffProblems(file: ConfigFile): ConfigProblem[] {
  const base = file.queue?.backoffBaseSeconds;
  const max = file.queue?.backoffMaxSeconds;
  const effectiveBase = base ?? DEFAULT_QUEUE_SETTINGS.backoffBaseSeconds;
  const effectiveMax = max ?? DEFAULT_QUEUE_SETTINGS.backoffMaxSeconds;
  if (effectiveMax >= effectiveBase) return [];
  // Blame the field the user wrote; if both were written, the cap is the one that reads wrong.
  if (max !== undefined) {
    const baseText = base !== undefined ? `${base}` : `${effectiveBase}, the default`;
    return [{ field: 'queue.backoffMaxSeconds', message: `must be at least backoffBaseSeconds (${baseText}), got ${max}` }];
  }
  return [{ field: 'queue.backoffBaseSeconds', message: `must be at most backoffMaxSeconds (${effectiveMax}, the default), got ${base}` }];
}

/**
 * The rule engine compiles rules when the service starts and refuses some that are well formed
 * here, e.g. a tag it cannot read at store time (Pixel Data, a sequence, the meta group). Asking
 * it now makes those config errors too, named by rule, instead of a failure after start.
 */
export function ruleEngineProblems(rules: readonly Rule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  rules.forEach((rule, index) => {
    try {
      compileRules([rule]);
    } catch (err) {
      // The engine names the rule as `rules[0] "name": `; the field says which rule already.
      const message = (err as Error).message.replace(/^rules\[0\] "(?:[^"\\]|\\.)*": /, '');
      problems.push({ field: `rules[${index}]`, message });
    }
  });
  return problems;
}
