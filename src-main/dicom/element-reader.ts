/**
 * The one reader of DICOM element headers: tag, VR, header length and value length, in explicit or
 * implicit VR, little or big endian. Every part of the engine that steps through elements (the
 * meta group, index fields, the inspector's walk, DIMSE command sets, the transcoder) reads headers
 * here, so they agree on what an element is, and above all on a VR they do not know.
 *
 * PS3.5 §7.1.2: only the VRs listed in SHORT_VRS have a 2-byte length; every other VR, including
 * one defined after this code was written, has two reserved bytes and a 4-byte length. That is
 * what DCMTK and pydicom do, and a reader that guessed otherwise would lose its place.
 */
import { formatTag } from './tag-format.ts';
import { dictionaryVr } from './tag-keywords.ts';

export interface HeaderSyntax {
  explicitVr: boolean;
  littleEndian: boolean;
}

export interface ElementHeader {
  tag: number;
  /** As written (explicit VR), from the dictionary (implicit VR), '' for items and delimiters. */
  vr: string;
  vrInHeader: boolean;
  headerLength: 8 | 12;
  /** The value length as written; UNDEFINED_LENGTH for undefined length. */
  length: number;
}

export const UNDEFINED_LENGTH = 0xffffffff;
export const ITEM = 0xfffee000;
export const ITEM_DELIMITER = 0xfffee00d;
export const SEQUENCE_DELIMITER = 0xfffee0dd;

export const IMPLICIT_LITTLE_ENDIAN: HeaderSyntax = { explicitVr: false, littleEndian: true };
export const EXPLICIT_LITTLE_ENDIAN: HeaderSyntax = { explicitVr: true, littleEndian: true };

/** PS3.5 Table 7.1-2: the VRs whose explicit header is tag, VR, 2-byte length. */
const SHORT_VRS = new Set([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'SL',
  'SS',
  'ST',
  'TM',
  'UI',
  'UL',
  'US',
]);
/** Every VR of PS3.5 Table 6.2-1 (2024); others are read with the 4-byte length form. */
const KNOWN_VRS = new Set([...SHORT_VRS, 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VR_PATTERN = /^[A-Z]{2}$/;

/** The bytes where a VR belongs are not two upper-case letters: the element cannot be read as explicit VR. */
export class InvalidVrError extends Error {
  readonly tag: number;
  readonly offset: number;
  constructor(tag: number, offset: number, vrBytes: Buffer) {
    super(`element ${formatTag(tag)} at byte ${offset} has no valid VR (bytes ${vrBytes.toString('hex')})`);
    this.name = 'InvalidVrError';
    this.tag = tag;
    this.offset = offset;
  }
}

export function isKnownVr(vr: string): boolean {
  return KNOWN_VRS.has(vr);
}

export function hasShortLength(vr: string): boolean {
  return SHORT_VRS.has(vr);
}

/** The VR an implicit VR reader assumes: UL for group lengths, LO for private creators, else the dictionary's (UN when unknown). */
export function implicitVr(tag: number): string {
  const element = tag & 0xffff;
  const group = tag >>> 16;
  if (element === 0 && group !== 0xfffe) return 'UL';
  if (group % 2 === 1 && element >= 0x0010 && element <= 0x00ff) return 'LO';
  return dictionaryVr(tag);
}

export function readTag(bytes: Buffer, offset: number, littleEndian: boolean): number {
  return littleEndian
    ? ((bytes.readUInt16LE(offset) << 16) | bytes.readUInt16LE(offset + 2)) >>> 0
    : ((bytes.readUInt16BE(offset) << 16) | bytes.readUInt16BE(offset + 2)) >>> 0;
}

/**
 * The header of the element at `offset`, or undefined when `bytes` ends before the header does
 * (8 bytes are always needed, 12 for an explicit VR with a 4-byte length). Throws InvalidVrError
 * for explicit VR bytes that are not a VR. `vrOf` gives implicit VR elements their VR.
 */
export function readElementHeader(
  bytes: Buffer,
  offset: number,
  syntax: HeaderSyntax,
  vrOf: (tag: number) => string = implicitVr,
): ElementHeader | undefined {
  if (offset + 8 > bytes.length) return undefined;
  const le = syntax.littleEndian;
  const tag = readTag(bytes, offset, le);
  // Items and delimiters are tag + 4-byte length in every syntax.
  if (tag >>> 16 === 0xfffe) return { tag, vr: '', vrInHeader: false, headerLength: 8, length: u32(bytes, offset + 4, le) };
  if (!syntax.explicitVr) return { tag, vr: vrOf(tag), vrInHeader: false, headerLength: 8, length: u32(bytes, offset + 4, le) };
  const vr = bytes.toString('latin1', offset + 4, offset + 6);
  if (!VR_PATTERN.test(vr)) throw new InvalidVrError(tag, offset, bytes.subarray(offset + 4, offset + 6));
  if (SHORT_VRS.has(vr))
    return { tag, vr, vrInHeader: true, headerLength: 8, length: le ? bytes.readUInt16LE(offset + 6) : bytes.readUInt16BE(offset + 6) };
  if (offset + 12 > bytes.length) return undefined;
  return { tag, vr, vrInHeader: true, headerLength: 12, length: u32(bytes, offset + 8, le) };
}

function u32(bytes: Buffer, offset: number, littleEndian: boolean): number {
  return littleEndian ? bytes.readUInt32LE(offset) : bytes.readUInt32BE(offset);
}

/**
 * How the dataset starting at `head` is really encoded, when its first element contradicts the
 * declared syntax (writers exist that put an implicit VR dataset under an explicit VR syntax, and
 * the reverse). DCMTK and pydicom look at the first element the same way: explicit VR bytes that
 * are no VR mean implicit; a known VR where an implicit length would stand means explicit.
 * Returns the declared syntax when the first element agrees with it or the bytes say nothing.
 */
export function detectDatasetSyntax(head: Buffer, declared: HeaderSyntax): { syntax: HeaderSyntax; contradicts: boolean } {
  const agree = { syntax: declared, contradicts: false };
  if (head.length < 8) return agree;
  const tag = readTag(head, 0, declared.littleEndian);
  if (tag >>> 16 === 0xfffe) return agree;
  const vr = head.toString('latin1', 4, 6);
  const looksExplicit = KNOWN_VRS.has(vr);
  if (declared.explicitVr && !VR_PATTERN.test(vr) && plausibleImplicit(head, declared.littleEndian)) {
    return { syntax: { explicitVr: false, littleEndian: declared.littleEndian }, contradicts: true };
  }
  // Read as implicit, a VR's two letters become the low half of a length of 16,705 or more: a first
  // element that long whose length also spells a VR is far less likely than a mislabelled syntax.
  if (!declared.explicitVr && looksExplicit) {
    return { syntax: { explicitVr: true, littleEndian: declared.littleEndian }, contradicts: true };
  }
  return agree;
}

/** Garbage read as implicit VR gives an absurd first length; a real one is short or undefined. */
function plausibleImplicit(head: Buffer, littleEndian: boolean): boolean {
  const length = u32(head, 4, littleEndian);
  return length === UNDEFINED_LENGTH || length < 0x01000000;
}

/**
 * Bytes per number of a VR whose values change with byte order (PS3.5 §7.3): 0 for byte strings
 * and text, which have none. AT is two 16-bit numbers.
 */
export function swapUnit(vr: string): 0 | 2 | 4 | 8 {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
    case 'AT':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
      return 4;
    case 'FD':
    case 'OD':
    case 'SV':
    case 'UV':
    case 'OV':
      return 8;
    default:
      return 0;
  }
}
