/**
 * The named kinds of difference between two datasets. Each difference is named once, at the level
 * where it happened: a re-encoded sequence is one length-encoding change, not a change of every
 * element after it; offsets that shift after an insertion are not changes.
 */

export const CHANGE_KINDS = [
  'transfer-syntax-changed',
  'value-changed',
  'element-added',
  'element-removed',
  'vr-changed',
  'length-encoding-changed',
  'group-length-added',
  'group-length-removed',
  'padding-changed',
  'pixel-frame-changed',
  'pixel-fragment-changed',
  'bytes-changed',
  'dataset-unreadable',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const CHANGE_KIND_TITLES: Record<ChangeKind, string> = {
  'transfer-syntax-changed': 'transfer syntax changed',
  'value-changed': 'value changed',
  'element-added': 'element added',
  'element-removed': 'element removed',
  'vr-changed': 'VR changed',
  'length-encoding-changed': 'length encoding changed',
  'group-length-added': 'group length added',
  'group-length-removed': 'group length removed',
  'padding-changed': 'padding changed',
  'pixel-frame-changed': 'pixel frame changed',
  'pixel-fragment-changed': 'pixel fragment changed',
  'bytes-changed': 'bytes changed (no element-level cause found)',
  'dataset-unreadable': 'dataset unreadable',
};

/** A kind counted, as a summary says it: "1 value changed", "3 values changed". */
export function countedChangeKind(kind: ChangeKind, count: number): string {
  return `${count} ${count === 1 ? CHANGE_KIND_TITLES[kind] : (CHANGE_KIND_PLURAL_TITLES[kind] ?? CHANGE_KIND_TITLES[kind])}`;
}

/** The titles whose words change with more than one (the others read right either way). */
const CHANGE_KIND_PLURAL_TITLES: Partial<Record<ChangeKind, string>> = {
  'value-changed': 'values changed',
  'element-added': 'elements added',
  'element-removed': 'elements removed',
  'vr-changed': 'VRs changed',
  'length-encoding-changed': 'length encodings changed',
  'group-length-added': 'group lengths added',
  'group-length-removed': 'group lengths removed',
  'pixel-frame-changed': 'pixel frames changed',
  'pixel-fragment-changed': 'pixel fragments changed',
};

/** Where an element (or item, frame, fragment) is in one file. */
export interface ElementSide {
  vr?: string;
  /** Offset of the tag (of the first byte of a frame). */
  offset: number;
  /** Header bytes before the value: 8 or 12 (0 for a frame). */
  headerLength: number;
  valueOffset: number;
  valueLength: number;
  undefinedLength: boolean;
  /** Offset just past it, closing delimiter included. */
  endOffset: number;
  /** The value as text, for small values. */
  value?: string;
}

export interface LengthEncodingChange {
  /** 'sequence' or the item index. */
  what: 'sequence' | number;
  a: 'defined' | 'undefined';
  b: 'defined' | 'undefined';
}

export interface Change {
  kind: ChangeKind;
  /** Tag path: "(0040,0275)[0]/(0040,0007)", "(7FE0,0010)/frame[3]". */
  path: string;
  keyword?: string;
  /** The element in each file; missing on the side that does not have it. */
  a?: ElementSide;
  b?: ElementSide;
  /** For an element only one file has: where it would be in the other file. */
  missingAt?: { a?: number; b?: number };
  /** One line a person can read. */
  description: string;
  /** vr-changed: whether the value bytes (decoded) are the same under both VRs. */
  valueEqual?: boolean;
  /** length-encoding-changed: the sequence and/or the items whose encoding changed. */
  lengthEncoding?: LengthEncodingChange[];
}

export type ChangesByKind = Record<ChangeKind, Change[]>;

export function emptyChangesByKind(): ChangesByKind {
  return Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, [] as Change[]])) as unknown as ChangesByKind;
}
