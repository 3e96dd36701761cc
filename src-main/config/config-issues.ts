/**
 * Zod issues → one problem per field, each with the field's path as the user would write it
 * ("rules[0].match.tags.PatientID"). Two zod shapes need unfolding: a union reports every branch
 * (only the branch the value was meant for is useful), and unknown keys come as one issue per
 * object (each key gets its own line, with the field it was probably meant to be).
 */
import { z } from 'zod';
import type { ConfigProblem } from './config-error.ts';
import { closestMatch } from './did-you-mean.ts';

type Path = readonly PropertyKey[];

/** `destinations[1].port`, `rules[0].match.tags["(0010,0020)"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(segment))) out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) collect(issue, [], schema, problems);
  return problems;
}

function collect(issue: z.core.$ZodIssue, prefix: Path, schema: z.ZodType, out: ConfigProblem[]): void {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_union': {
      const branch = intendedBranch(issue.errors);
      if (branch) for (const inner of branch) collect(inner, path, schema, out);
      else out.push({ field: formatPath(path), message: issue.message });
      return;
    }
    case 'invalid_key':
      for (const inner of issue.issues) collect(inner, path, schema, out);
      return;
    case 'unrecognized_keys': {
      const known = fieldsAt(schema, path) ?? [];
      for (const key of issue.keys) out.push({ field: formatPath([...path, key]), message: unknownFieldMessage(key, known) });
      return;
    }
    default:
      out.push({ field: formatPath(path), message: issue.message });
  }
}

/**
 * The branch of a union the value was written for: the only one whose complaint is not simply
 * "this is not my type" at the union's own level. A mapping given where text, a list or
 * { glob } / { regex } is allowed is judged as a { glob } / { regex } mapping.
 */
function intendedBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const wrongTypeOnly = (issues: readonly z.core.$ZodIssue[]) =>
    issues.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
  const candidates = branches.filter((issues) => !wrongTypeOnly(issues));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * The engine's own names (GatewayConfig, Destination) differ from the file's where the file is
 * shorter or counts seconds; someone who read the code will type these.
 */
const ENGINE_NAMES = new Map([
  ['aeTitle', 'ae'],
  ['callingAeTitle', 'callingAe'],
  ['maxPduLength', 'maxPdu'],
  ['allowedCallingAes', 'allowCallingAes'],
  ['connectTimeoutMs', 'connectTimeoutSeconds'],
  ['dimseTimeoutMs', 'dimseTimeoutSeconds'],
]);

function unknownFieldMessage(key: string, known: readonly string[]): string {
  const engineName = ENGINE_NAMES.get(key);
  const suggestion = engineName !== undefined && known.includes(engineName) ? engineName : closestMatch(key, known);
  if (suggestion) return `unknown field (did you mean ${suggestion}?)`;
  return known.length > 0 ? `unknown field (allowed here: ${known.join(', ')})` : 'unknown field';
}

/** The field names the schema allows for the object at `path`, found by walking the schema itself. */
function fieldsAt(schema: z.ZodType, path: Path): string[] | undefined {
  const node = unwrap(schema);
  if (node instanceof z.ZodUnion) {
    for (const option of node.options as readonly z.ZodType[]) {
      const fields = fieldsAt(option, path);
      if (fields) return fields;
    }
    return undefined;
  }
  if (path.length === 0) return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
  const [segment, ...rest] = path;
  if (node instanceof z.ZodObject) {
    const child = (node.shape as Record<string, z.ZodType>)[String(segment)];
    return child ? fieldsAt(child, rest) : undefined;
  }
  if (node instanceof z.ZodArray) return fieldsAt(node.element as z.ZodType, rest);
  if (node instanceof z.ZodRecord) return fieldsAt(node.valueType as z.ZodType, rest);
  return undefined;
}

/** Optional, default and transform (pipe) wrappers do not change which fields an object has. */
function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = node.in as z.ZodType;
    else return node;
  }
}
