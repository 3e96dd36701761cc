/**
 * What a dataset walk records: every element's place in the file and a fingerprint of its value,
 * never the value itself (except small ones, kept for messages). Offsets are file offsets, or
 * offsets in the inflated bytes for a deflated dataset.
 */
import type { ValueHashes } from './value-digest.ts';

export interface HeaderLayout {
  /** Offset of the tag's first byte. */
  headerOffset: number;
  /** 8 or 12 for elements; 8 for items and delimiters. */
  headerLength: number;
  /** The VR is written in the header (explicit VR), so the header holds tag, VR, [reserved,] length. */
  vrInHeader: boolean;
}

export interface ElementNode extends HeaderLayout, Partial<ValueHashes> {
  type: 'element';
  tag: number;
  /** "(0040,0275)[0]/(0040,0007)" */
  path: string;
  /** As encoded; for implicit VR the dictionary's VR, or UN. */
  vr: string;
  valueOffset: number;
  /** Bytes of the value; for an undefined length, the bytes between the header and the closing delimiter. */
  valueLength: number;
  undefinedLength: boolean;
  /** Offset just past the element, its sequence delimiter included. */
  endOffset: number;
  /** Offset of the sequence delimiter (FFFE,E0DD) that closes an undefined length. */
  delimiterOffset?: number;
  /** Small values only (see RETAINED_VALUE_BYTES), for messages and padding checks. */
  value?: Buffer;
  /** What follows the header: a value, items (SQ, or UN/implicit elements holding items), fragments or frames. */
  content: 'value' | 'items' | 'fragments' | 'frames';
  /** Filled by walkDataset (a tree); a streaming comparison leaves them empty. */
  items?: ItemNode[];
  /** Encapsulated pixel data: the offset table, then the fragments (filled by walkDataset). */
  fragments?: FragmentNode[];
  /** Native pixel data, frame by frame (filled by walkDataset). */
  frames?: FrameNode[];
  /** Set by walkDataset when the walk stopped inside it: its end and children are incomplete. */
  truncated?: boolean;
}

export interface ItemNode extends HeaderLayout {
  type: 'item';
  index: number;
  path: string;
  valueOffset: number;
  valueLength: number;
  undefinedLength: boolean;
  endOffset: number;
  delimiterOffset?: number;
  /** Filled by walkDataset (a tree); a streaming comparison leaves it empty. */
  elements: ElementNode[];
  /** The walk stopped inside it (see ElementNode.truncated). */
  truncated?: boolean;
}

export interface FragmentNode extends HeaderLayout, ValueHashes {
  type: 'fragment';
  /** 0 is the basic offset table; fragments count from 1 as in PS3.5 Annex A.4 item order. */
  itemIndex: number;
  path: string;
  valueOffset: number;
  valueLength: number;
  endOffset: number;
}

export interface FrameNode extends ValueHashes {
  type: 'frame';
  /** Frame number from 0; the bytes after the last whole frame (padding) get index -1. */
  index: number;
  path: string;
  valueOffset: number;
  valueLength: number;
}

export interface DatasetWalk {
  elements: ElementNode[];
  /** 'inflated' when offsets count bytes of the inflated (deflated) dataset, not of the file. */
  offsetSpace: 'file' | 'inflated';
  /** Where the dataset starts in that space. */
  startOffset: number;
  /** Where it ends (the walk stopped there if it could not go on). */
  endOffset: number;
  /** Why the walk could not reach the end, if it could not. */
  problem?: WalkProblem;
}

export interface WalkProblem {
  offset: number;
  path: string | undefined;
  reason: string;
}

/**
 * What a walk reports, in file order. A container (sequence, item, pixel data in fragments or
 * frames) is announced by its header, then its content, then an `end` that completes it (its
 * delimiter, length and end offset are final only then). A leaf element comes complete, value
 * fingerprint included. The walk ends with the `end` of the dataset (container undefined), or
 * with a `problem` when it cannot go on.
 */
export type WalkEvent =
  | { type: 'element'; node: ElementNode }
  | { type: 'item'; node: ItemNode }
  | { type: 'fragment'; node: FragmentNode }
  | { type: 'frame'; node: FrameNode }
  | { type: 'end'; container: ElementNode | ItemNode | undefined; /** Where the content ends (at the delimiter, if any). */ offset: number }
  | { type: 'problem'; problem: WalkProblem };

export const RETAINED_VALUE_BYTES = 1024;
