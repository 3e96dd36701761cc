/**
 * What the inspector needs of the data dictionary: the VR an Implicit VR dataset does not carry,
 * and a keyword for reports. Both come from dcmjs's copy of the PS3.6 dictionary (through
 * dicom/tag-keywords.ts, which loads it on first use), with the rules a dictionary does not hold:
 * group lengths and private creators. A tag the dictionary does not know (a private one) reads as
 * UN, which is what an implicit-VR reader without a dictionary entry must assume.
 */
import { dictionaryVr, keywordForTag } from '../dicom/tag-keywords.ts';

export const PIXEL_DATA = 0x7fe00010;
export const TRAILING_PADDING = 0xfffcfffc;

function isPrivateCreator(tag: number): boolean {
  const group = tag >>> 16;
  const element = tag & 0xffff;
  return group % 2 === 1 && element >= 0x0010 && element <= 0x00ff;
}

export function isGroupLength(tag: number): boolean {
  return (tag & 0xffff) === 0 && tag >>> 16 !== 0xfffe;
}

/** The VR an Implicit VR reader assumes for `tag`: from the dictionary, else UN. */
export function implicitVrOf(tag: number): string {
  if (isGroupLength(tag)) return 'UL';
  if (isPrivateCreator(tag)) return 'LO';
  return dictionaryVr(tag);
}

/** "PatientName", "GroupLength", "PrivateCreator", or undefined for tags the dictionary does not know (private ones among them). */
export function keywordOf(tag: number): string | undefined {
  if (isGroupLength(tag) && tag >>> 16 !== 0x0002) return 'GroupLength';
  if (isPrivateCreator(tag)) return 'PrivateCreator';
  return keywordForTag(tag);
}
