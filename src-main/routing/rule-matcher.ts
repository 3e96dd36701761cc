/**
 * Rule evaluation. Rules are compiled once (patterns, tag keywords, SOP class lists) when the
 * configuration loads, so a bad rule fails there, naming itself and the field; matching a stored
 * instance then reads only the facts gathered at store time: the association, the index fields
 * and the extra tags the rules asked for (`tagsNeeded`), never the file again.
 *
 * A rule matches when every field it names matches (an empty `match` matches everything); every
 * enabled rule that matches routes, in order. How one value matches: see value-matcher.ts.
 *
 * - callingAe, calledAe: leading and trailing spaces of the AE title are insignificant (PS3.5).
 * - peerAddress: the facts carry "HOST:PORT" as the SCP records it (IPv6 unbracketed, e.g.
 *   "::1:5000"; an IPv4 sender by its IPv4 address, dicom/peer-address.ts socketPeer). A matcher
 *   matches when it matches the whole text, the host without the port ("127.0.0.1" matches
 *   "127.0.0.1:5000"), or, for an IPv4-mapped IPv6 host ("::ffff:10.0.0.7", as records made
 *   before socketPeer still hold), the plain IPv4 address.
 * - sopClass: 'any'; 'images' (sop-class-kinds.ts says which); or a list of SOP class UIDs.
 * - modality, tags: the text read at store time (index-fields.ts, IndexFields.extra); a tag is
 *   named by keyword or number and looked up in RoutingFacts.tags by its 8-hex-digit key
 *   ("00100020"), then by keyword, then as the rule spelt it.
 */
import type { IndexFields } from '../dicom/index-fields.ts';
import { mappedIpv4 } from '../dicom/peer-address.ts';
import { isImageStorageSopClass } from '../dicom/sop-class-kinds.ts';
import { formatTag, tagKey } from '../dicom/tag-format.ts';
import { resolveTagReference, type TagReference } from '../dicom/tag-keywords.ts';
import { trimUid, uidProblem } from '../dicom/uid.ts';
import type { RoutingFacts } from './routing-types.ts';
import type { Rule, RuleMatch, ValueMatcher } from '../api/types/routing.ts';
import { compileValueMatcher, type CompiledValueMatcher } from './value-matcher.ts';

export interface RouteMatch {
  rule: Rule;
  destinations: string[];
}

export interface CompiledRules {
  /** The rules as given, in order. */
  readonly rules: readonly Rule[];
  /** Tags enabled rules read beyond the built-in facts, ascending: read these at store time. */
  readonly tagsNeeded: number[];
  /** Every enabled rule that matches, in rule order. */
  route(facts: RoutingFacts): RouteMatch[];
}

/** What the association tells about an instance; with its index fields these are a rule's facts. */
export interface AssociationFacts {
  callingAe: string;
  calledAe: string;
  peerAddress: string;
}

const MATCH_FIELDS = ['callingAe', 'calledAe', 'peerAddress', 'sopClass', 'modality', 'tags'] as const;
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW']);
/** Extra tags are read before pixel data only; group 7FE0 and everything after it is out of reach. */
const FIRST_UNREADABLE_TAG = 0x7fe00000;

type Check = (facts: RoutingFacts) => boolean;

interface TagCheck {
  tag: number;
  keys: string[];
  matches: CompiledValueMatcher;
}

interface CompiledRule {
  rule: Rule;
  checks: Check[];
  tags: number[];
}

/** Compiles `rules`, or throws an Error naming the first bad rule and field: `rules[0] "ct-to-pacs": match.modality.regex: ...`. */
export function compileRules(rules: readonly Rule[]): CompiledRules {
  const compiled = rules.map((rule, index) => compileRule(rule, `rules[${index}] ${JSON.stringify(rule.name)}`));
  const enabled = compiled.filter((c) => c.rule.enabled);
  const tagsNeeded = [...new Set(enabled.flatMap((c) => c.tags))].sort((a, b) => a - b);
  return {
    rules: [...rules],
    tagsNeeded,
    route(facts) {
      const routes: RouteMatch[] = [];
      for (const c of enabled) {
        if (c.checks.every((check) => check(facts))) routes.push({ rule: c.rule, destinations: [...c.rule.forward] });
      }
      return routes;
    },
  };
}

/** The facts rules see for an instance, from its association, its SOP class and the fields read at store time. */
export function routingFactsFor(association: AssociationFacts, sopClassUid: string, fields: IndexFields): RoutingFacts {
  return { ...association, sopClassUid, modality: fields.modality, tags: { ...fields.extra } };
}

function compileRule(rule: Rule, where: string): CompiledRule {
  const match: RuleMatch = rule.match ?? {};
  if (typeof match !== 'object' || Array.isArray(match))
    throw new Error(`${where}: match: expected an object of fields, e.g. { modality: CT }`);
  for (const key of Object.keys(match)) {
    if (!(MATCH_FIELDS as readonly string[]).includes(key))
      throw new Error(`${where}: match.${key}: unknown field; expected one of ${MATCH_FIELDS.join(', ')}`);
  }
  const checks: Check[] = [];
  let tags: TagCheck[] = [];
  if (match.callingAe !== undefined) {
    const matches = compileValueMatcher(match.callingAe, `${where}: match.callingAe`);
    checks.push((facts) => matches(trimAe(facts.callingAe)));
  }
  if (match.calledAe !== undefined) {
    const matches = compileValueMatcher(match.calledAe, `${where}: match.calledAe`);
    checks.push((facts) => matches(trimAe(facts.calledAe)));
  }
  if (match.peerAddress !== undefined) {
    const matches = compileValueMatcher(match.peerAddress, `${where}: match.peerAddress`);
    checks.push((facts) => addressForms(facts.peerAddress).some(matches));
  }
  if (match.sopClass !== undefined) {
    const check = compileSopClass(match.sopClass, `${where}: match.sopClass`);
    if (check) checks.push(check);
  }
  if (match.modality !== undefined) {
    const matches = compileValueMatcher(match.modality, `${where}: match.modality`);
    checks.push((facts) => matches(facts.modality));
  }
  if (match.tags !== undefined) {
    tags = compileTags(match.tags, `${where}: match.tags`);
    for (const tag of tags) checks.push((facts) => tag.matches(tagValue(facts.tags, tag.keys)));
  }
  return { rule, checks, tags: tags.map((t) => t.tag) };
}

function compileSopClass(sopClass: RuleMatch['sopClass'], field: string): Check | undefined {
  if (sopClass === 'any') return undefined;
  if (sopClass === 'images') return (facts) => isImageStorageSopClass(trimUid(facts.sopClassUid));
  if (Array.isArray(sopClass)) {
    if (sopClass.length === 0) throw new Error(`${field}: an empty list matches nothing; use "any" or leave the field out`);
    sopClass.forEach((uid, i) => {
      const problem = typeof uid === 'string' ? uidProblem(uid.trim()) : 'is not a string';
      if (problem) throw new Error(`${field}[${i}]: ${JSON.stringify(uid)} is not a SOP class UID: it ${problem}`);
    });
    const uids = new Set(sopClass.map((uid) => uid.trim()));
    return (facts) => uids.has(trimUid(facts.sopClassUid));
  }
  throw new Error(`${field}: expected "any", "images" or a list of SOP class UIDs, got ${JSON.stringify(sopClass)}`);
}

function compileTags(tags: Record<string, ValueMatcher>, field: string): TagCheck[] {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw new Error(`${field}: expected an object of tag: matcher, e.g. { PatientID: "X123" }`);
  }
  return Object.entries(tags).map(([key, matcher]) => {
    const ref = resolveTag(key, `${field}.${key}`);
    const problem = tagProblem(ref.tag, ref.vr);
    if (problem) throw new Error(`${field}.${key}: ${formatTag(ref.tag)}${ref.keyword ? ` ${ref.keyword}` : ''} ${problem}`);
    const keys = [tagKey(ref.tag), ...(ref.keyword && ref.keyword !== key ? [ref.keyword] : []), ...(key !== tagKey(ref.tag) ? [key] : [])];
    return { tag: ref.tag, keys, matches: compileValueMatcher(matcher, `${field}.${key}`) };
  });
}

function resolveTag(key: string, field: string): TagReference {
  try {
    return resolveTagReference(key);
  } catch (err) {
    throw new Error(`${field}: ${(err as Error).message}`, { cause: err });
  }
}

/** Why a rule cannot read `tag` at store time, or undefined when it can. */
function tagProblem(tag: number, vr: string): string | undefined {
  const group = tag >>> 16;
  if (group === 0x0000) return 'is a command element, not part of the dataset';
  if (group === 0x0002) return 'is in the file meta group, which the gateway writes itself; match sopClass or the association instead';
  if (group === 0xfffe) return 'is an item or delimiter tag, not an element';
  if (tag >= FIRST_UNREADABLE_TAG) return 'lies at or after Pixel Data (7FE0,0010); rules read only elements before pixel data';
  if (vr === 'SQ') return 'is a sequence; rules match top-level text and number elements';
  if (BINARY_VRS.has(vr)) return `has binary VR ${vr}; rules match text and number elements`;
  return undefined;
}

function tagValue(tags: RoutingFacts['tags'], keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = tags[key];
    if (value !== undefined) return value;
  }
  return undefined;
}

function trimAe(ae: string): string {
  return ae.replace(/^ +/, '');
}

/** The whole "HOST:PORT", the host, and the IPv4 inside an IPv4-mapped IPv6 host. */
function addressForms(peer: string): string[] {
  const forms = [peer];
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(peer);
  const host = bracketed ? bracketed[1]! : /^(.+):\d{1,5}$/.exec(peer)?.[1];
  if (host !== undefined) forms.push(host);
  const mapped = host === undefined ? undefined : mappedIpv4(host);
  if (mapped !== undefined) forms.push(mapped);
  return forms;
}
