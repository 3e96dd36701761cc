/**
 * The Image Pixel attributes (PS3.3 C.7.6.3) that say how the pixel data is laid out, read from
 * their raw values as a forward pass over a dataset meets them. The inspector's walker needs them
 * to find frame boundaries, the transcoder to decode frames and to choose OB or OW; both read them
 * here, so a value is understood the same way by both.
 */

export const SAMPLES_PER_PIXEL = 0x00280002;
export const PHOTOMETRIC_INTERPRETATION = 0x00280004;
export const PLANAR_CONFIGURATION = 0x00280006;
export const NUMBER_OF_FRAMES = 0x00280008;
export const ROWS = 0x00280010;
export const COLUMNS = 0x00280011;
export const BITS_ALLOCATED = 0x00280100;
export const BITS_STORED = 0x00280101;
export const PIXEL_REPRESENTATION = 0x00280103;

/** What has been read so far; an attribute not (yet) met is undefined. */
export interface PixelLayout {
  samplesPerPixel?: number;
  photometric?: string;
  planarConfiguration?: number;
  /** Number of Frames; undefined when absent or not a number. */
  frames?: number;
  rows?: number;
  columns?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
}

type UsAttribute = 'samplesPerPixel' | 'planarConfiguration' | 'rows' | 'columns' | 'bitsAllocated' | 'bitsStored' | 'pixelRepresentation';

const US_ATTRIBUTES = new Map<number, UsAttribute>([
  [SAMPLES_PER_PIXEL, 'samplesPerPixel'],
  [PLANAR_CONFIGURATION, 'planarConfiguration'],
  [ROWS, 'rows'],
  [COLUMNS, 'columns'],
  [BITS_ALLOCATED, 'bitsAllocated'],
  [BITS_STORED, 'bitsStored'],
  [PIXEL_REPRESENTATION, 'pixelRepresentation'],
]);

export function isPixelLayoutTag(tag: number): boolean {
  return US_ATTRIBUTES.has(tag) || tag === PHOTOMETRIC_INTERPRETATION || tag === NUMBER_OF_FRAMES;
}

/** Notes the value of `tag` in `layout` when it is one of the layout attributes (of the top-level dataset). */
export function notePixelLayout(layout: PixelLayout, tag: number, value: Buffer, littleEndian: boolean): void {
  const us = US_ATTRIBUTES.get(tag);
  if (us) layout[us] = unsignedShort(value, littleEndian);
  else if (tag === PHOTOMETRIC_INTERPRETATION) layout.photometric = codeString(value);
  else if (tag === NUMBER_OF_FRAMES) layout.frames = integerString(value);
}

/** The first US value, or undefined when the value is too short to hold one. */
export function unsignedShort(value: Buffer, littleEndian: boolean): number | undefined {
  if (value.length < 2) return undefined;
  return littleEndian ? value.readUInt16LE(0) : value.readUInt16BE(0);
}

/** A CS value without the padding (space, or NUL from some writers) around it. */
export function codeString(value: Buffer): string {
  return value
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
}

function integerString(value: Buffer): number | undefined {
  const n = Number.parseInt(value.toString('latin1').trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}
