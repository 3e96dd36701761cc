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

/** Stored sample values of one frame, as numbers (bits stored and sign applied). */
export function storedValues(image: ImageAttributes, bytes: Buffer): Float64Array | Int32Array {
  const count = image.rows * image.columns * image.samplesPerPixel;
  const out = image.bitsAllocated === 32 ? new Float64Array(count) : new Int32Array(count);
  const size = image.bitsAllocated / 8;
  const shift = image.highBit + 1 - image.bitsStored;
  const bits = image.bitsStored;
  const le = image.littleEndian;
  for (let i = 0; i < count; i++) {
    const at = i * size;
    let raw =
      size === 1
        ? bytes[at]!
        : size === 2
          ? le
            ? bytes.readUInt16LE(at)
            : bytes.readUInt16BE(at)
          : le
            ? bytes.readUInt32LE(at)
            : bytes.readUInt32BE(at);
    if (bits < 32) {
      raw = Math.floor(raw / 2 ** shift) % 2 ** bits;
      if (image.signed && raw >= 2 ** (bits - 1)) raw -= 2 ** bits;
    } else if (image.signed && raw >= 2 ** 31) {
      raw -= 2 ** 32;
    }
    out[i] = raw;
  }
  return out;
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
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! * slope + intercept;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const defaultWindow = image.window ?? { center: (min + max) / 2, width: Math.max(max - min, 1) };
  const used = window ?? defaultWindow;
  const invert = image.photometric === 'MONOCHROME1';
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const grey = windowed(values[sourceIndex(i)]! * slope + intercept, used);
    pixels[i] = invert ? 255 - grey : grey;
  }
  return { width, height, channels: 1, pixels, range: { min, max }, window: used, defaultWindow };
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
  values: Float64Array | Int32Array,
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
  values: Float64Array | Int32Array,
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

function valueRange(values: Float64Array | Int32Array): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
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
