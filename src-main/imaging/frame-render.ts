/**
 * One native frame to 8-bit display pixels: stored values unpacked (bits stored, high bit, sign),
 * rescaled to modality values, windowed (PS3.3 C.11.2.1.2, the linear VOI function), inverted for
 * MONOCHROME1; colour (RGB, YBR_FULL) shown as stored; PALETTE COLOR through its tables.
 * Optionally scaled down for a thumbnail by sampling, so a thumbnail costs one frame read and no more.
 */
import type { ImageAttributes } from './image-attributes.ts';
import { paletteIndex, type PaletteLut } from './palette.ts';

export interface WindowSetting {
  center: number;
  width: number;
}

export interface RenderedPixels {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB), 8 bits each, row by row. */
  channels: 1 | 3;
  pixels: Uint8Array;
  /** Smallest and largest modality value in the frame (for colour, of the stored samples). */
  range: { min: number; max: number };
  window: WindowSetting | null;
  defaultWindow: WindowSetting | null;
}

const GREY = new Set(['MONOCHROME1', 'MONOCHROME2']);
const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422']);

export function isRenderable(image: ImageAttributes): string | undefined {
  if (GREY.has(image.photometric) && image.samplesPerPixel === 1) return undefined;
  if (image.bitsAllocated === 1) return `the viewer does not show 1-bit ${image.photometric} pixels`;
  if (image.photometric === 'PALETTE COLOR' && image.samplesPerPixel === 1 && image.palette) return undefined;
  if (COLOUR.has(image.photometric) && image.samplesPerPixel === 3) {
    // YBR_FULL_422 native stores two luma samples per chroma pair: not a plain 3-sample layout.
    if (image.photometric === 'YBR_FULL_422') return 'the viewer does not show YBR_FULL_422 pixels (two luma samples for each chroma pair)';
    return undefined;
  }
  return `the viewer does not show ${image.photometric} pixels (${image.samplesPerPixel} samples per pixel)`;
}

/** A frame's stored values, one number per sample. */
export type StoredValues = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/**
 * Stored sample values of one frame, as numbers (bits stored and sign applied). A 3000x3000 frame
 * is 9 million samples: read one by one and unpacked with floating-point division into a new
 * array of 32-bit numbers, that took about 400 ms here, on every window change of the viewer, and
 * every new page of that array costs this VM a fault of its host. Samples are read through a typed
 * array over the frame's bytes instead, kept as they are where every bit is stored (or no sample
 * has a bit above those stored), else unpacked into an array of their own width.
 */
export function storedValues(image: ImageAttributes, bytes: Buffer): StoredValues {
  const count = image.rows * image.columns * image.samplesPerPixel;
  const width = image.bitsAllocated as 8 | 16 | 32;
  const samples = width === 8 ? bytes.subarray(0, count) : wideSamples(bytes, count, width, image.littleEndian);
  const shift = Math.max(0, image.highBit + 1 - image.bitsStored);
  const bits = Math.min(image.bitsStored, width);
  if (shift === 0 && bits === width) return image.signed ? signedView(samples) : samples;
  const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  if (shift === 0 && !image.signed && !hasBitsAbove(samples, mask)) return samples;
  // Shifting the sign bit of the stored value up to bit 31 and back sign-extends it.
  const signShift = image.signed ? 32 - bits : 0;
  const out = image.signed ? signedView(newSamples(width, count)) : newSamples(width, count);
  for (let i = 0; i < count; i++) out[i] = (((samples[i]! >>> shift) & mask) << signShift) >> signShift;
  return out;
}

type UnsignedSamples = Uint8Array | Uint16Array | Uint32Array;

function newSamples(width: 8 | 16 | 32, count: number): UnsignedSamples {
  return width === 8 ? new Uint8Array(count) : width === 16 ? new Uint16Array(count) : new Uint32Array(count);
}

/** The same samples read as signed numbers of their width. */
function signedView(samples: UnsignedSamples): Int8Array | Int16Array | Int32Array {
  const { buffer, byteOffset, length } = samples;
  if (samples instanceof Uint32Array) return new Int32Array(buffer, byteOffset, length);
  if (samples instanceof Uint16Array) return new Int16Array(buffer, byteOffset, length);
  return new Int8Array(buffer, byteOffset, length);
}

/** Whether any sample has a bit set above `mask` (an overlay in the unused bits, or noise). */
function hasBitsAbove(samples: UnsignedSamples, mask: number): boolean {
  let bits = 0;
  for (let i = 0; i < samples.length; i++) bits |= samples[i]!;
  return (bits & ~mask) !== 0;
}

/**
 * 16- or 32-bit samples as a typed array: a view where the bytes allow one, else a copy (swapped
 * for big endian).
 */
function wideSamples(bytes: Buffer, count: number, width: 16 | 32, littleEndian: boolean): Uint16Array | Uint32Array {
  const size = width / 8;
  let source: Buffer = bytes;
  if (!littleEndian || bytes.byteOffset % size !== 0) {
    source = Buffer.from(bytes.subarray(0, count * size));
    if (!littleEndian && width === 16) source.swap16();
    else if (!littleEndian) source.swap32();
  }
  const { buffer, byteOffset } = source;
  return width === 16 ? new Uint16Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count);
}

export function renderFramePixels(
  image: ImageAttributes,
  bytes: Buffer,
  window: WindowSetting | undefined,
  maxSize: number | undefined,
): RenderedPixels {
  const values = storedValues(image, bytes);
  const { width, height, sourceIndex } = sampling(image.columns, image.rows, maxSize);
  if (image.samplesPerPixel === 3) return renderColour(image, values, width, height, sourceIndex);
  if (image.palette) return renderPalette(image.palette, values, width, height, sourceIndex);
  const slope = image.rescaleSlope;
  const intercept = image.rescaleIntercept;
  const stored = valueRange(values);
  // The rescale is linear: the stored range's ends are the modality range's (swapped if the slope is negative).
  const ends = [stored.min * slope + intercept, stored.max * slope + intercept];
  const min = Math.min(ends[0]!, ends[1]!);
  const max = Math.max(ends[0]!, ends[1]!);
  const defaultWindow = image.window ?? { center: (min + max) / 2, width: Math.max(max - min, 1) };
  const used = window ?? defaultWindow;
  const invert = image.photometric === 'MONOCHROME1';
  const grey = (v: number) => {
    const g = windowed(v * slope + intercept, used);
    return invert ? 255 - g : g;
  };
  const pixels = new Uint8Array(width * height);
  // Samples of up to 16 bits: each stored value is windowed once, not once per pixel.
  const lut = values.BYTES_PER_ELEMENT > 2 ? undefined : greyTable(stored.min, stored.max, grey);
  for (let i = 0; i < pixels.length; i++) {
    const v = values[sourceIndex(i)]!;
    pixels[i] = lut ? lut[v - stored.min]! : grey(v);
  }
  return { width, height, channels: 1, pixels, range: { min, max }, window: used, defaultWindow };
}

/** The grey of every stored value from `min` to `max`. */
function greyTable(min: number, max: number, grey: (v: number) => number): Uint8Array {
  const table = new Uint8Array(max - min + 1);
  for (let v = min; v <= max; v++) table[v - min] = grey(v);
  return table;
}

/** PS3.3 C.11.2.1.2.1: the linear window function, to 0..255. */
export function windowed(x: number, w: WindowSetting): number {
  const width = Math.max(w.width, 1);
  const low = w.center - 0.5 - (width - 1) / 2;
  const high = w.center - 0.5 + (width - 1) / 2;
  if (x <= low) return 0;
  if (x > high) return 255;
  return Math.round(((x - (w.center - 0.5)) / (width - 1) + 0.5) * 255);
}

function renderColour(
  image: ImageAttributes,
  values: StoredValues,
  width: number,
  height: number,
  sourceIndex: (i: number) => number,
): RenderedPixels {
  const pixelCount = image.rows * image.columns;
  const planar = image.planarConfiguration === 1;
  const scale = 255 / (2 ** image.bitsStored - 1);
  const { min, max } = valueRange(values);
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const p = sourceIndex(i);
    const sample = (c: number) => values[planar ? c * pixelCount + p : p * 3 + c]! * scale;
    let rgb = [sample(0), sample(1), sample(2)] as [number, number, number];
    if (image.photometric === 'YBR_FULL') rgb = ybrToRgb(rgb);
    for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]!)));
  }
  return { width, height, channels: 3, pixels, range: { min, max }, window: null, defaultWindow: null };
}

function renderPalette(
  palette: PaletteLut,
  values: StoredValues,
  width: number,
  height: number,
  sourceIndex: (i: number) => number,
): RenderedPixels {
  const { min, max } = valueRange(values);
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const entry = paletteIndex(palette, values[sourceIndex(i)]!);
    pixels[i * 3] = palette.red[entry]!;
    pixels[i * 3 + 1] = palette.green[entry]!;
    pixels[i * 3 + 2] = palette.blue[entry]!;
  }
  return { width, height, channels: 3, pixels, range: { min, max }, window: null, defaultWindow: null };
}

function valueRange(values: StoredValues): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  // An index loop: for...of over a typed array took five times as long here.
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** PS3.3 C.7.6.3.1.2, YBR_FULL to RGB (8-bit). */
function ybrToRgb([y, cb, cr]: [number, number, number]): [number, number, number] {
  return [y + 1.402 * (cr - 128), y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128), y + 1.772 * (cb - 128)];
}

/** Output size within maxSize (aspect kept, never enlarged) and, for each output pixel, the source pixel it samples. */
function sampling(
  columns: number,
  rows: number,
  maxSize: number | undefined,
): { width: number; height: number; sourceIndex: (i: number) => number } {
  const scale = maxSize ? Math.min(1, maxSize / Math.max(columns, rows)) : 1;
  if (scale === 1) return { width: columns, height: rows, sourceIndex: (i) => i };
  const width = Math.max(1, Math.round(columns * scale));
  const height = Math.max(1, Math.round(rows * scale));
  return {
    width,
    height,
    sourceIndex: (i) => {
      const x = Math.min(columns - 1, Math.floor(((i % width) + 0.5) / scale));
      const y = Math.min(rows - 1, Math.floor((Math.floor(i / width) + 0.5) / scale));
      return y * columns + x;
    },
  };
}
