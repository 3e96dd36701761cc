/**
 * What it takes to show one frame: the image pixel module of the top-level dataset (and the
 * shared functional groups of an enhanced multi-frame object), where the pixel data lies in the
 * file, and for encapsulated pixel data which decoder reads its frames. Read with the inspector's
 * walker, which passes values it does not keep, so the pixel data itself is never read here.
 */
import { codeString, unsignedShort } from '../dicom/pixel-layout.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import { openDatasetSource, openInput } from '../inspect/dataset-input.ts';
import { walkEvents } from '../inspect/element-walker.ts';
import { PIXEL_DATA } from '../inspect/tag-dictionary.ts';
import { compressedSyntax } from '../transcode/transcode-syntaxes.ts';
import { PALETTE_DATA, PALETTE_DESCRIPTORS, readPalette, SEGMENTED_PALETTE_DATA, type PaletteLut, type ValueRange } from './palette.ts';

export interface ImageAttributes {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  planarConfiguration: number;
  frames: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  littleEndian: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** From the file; undefined when it has none. */
  window: { center: number; width: number } | undefined;
  /** File offset of the first pixel byte and the bytes of pixel data (encapsulated: of its first item; length unknown, -1). */
  pixelOffset: number;
  pixelLength: number;
  /** Native, or compressed in a syntax a decoder reads (compressedSyntax tells which): others are refused. */
  transferSyntaxUid: string;
  /** PALETTE COLOR only: its lookup tables. */
  palette?: PaletteLut;
}

export type ImageAttributesResult = { ok: true; image: ImageAttributes } | { ok: false; reason: string };

const SHARED_FUNCTIONAL_GROUPS = '(5200,9229)';
const TAGS = {
  samplesPerPixel: 0x00280002,
  photometric: 0x00280004,
  planarConfiguration: 0x00280006,
  frames: 0x00280008,
  rows: 0x00280010,
  columns: 0x00280011,
  bitsAllocated: 0x00280100,
  bitsStored: 0x00280101,
  highBit: 0x00280102,
  pixelRepresentation: 0x00280103,
  windowCenter: 0x00281050,
  windowWidth: 0x00281051,
  rescaleIntercept: 0x00281052,
  rescaleSlope: 0x00281053,
} as const;
const WANTED = new Set<number>([...Object.values(TAGS), ...PALETTE_DESCRIPTORS]);
// Enhanced objects keep rescale and window in functional groups; the shared ones hold for every frame.
const SHARED_ONLY = new Set<number>([TAGS.windowCenter, TAGS.windowWidth, TAGS.rescaleIntercept, TAGS.rescaleSlope]);

export async function readImageAttributes(path: string): Promise<ImageAttributesResult> {
  const opened = await openInput({ path });
  const encoding = opened.encoding;
  if (!opened.header || !encoding || !opened.transferSyntaxUid)
    return { ok: false, reason: `not a DICOM Part-10 file: ${opened.problem ?? 'no meta group'}` };
  const compressed = encoding.encapsulated ? compressedSyntax(opened.transferSyntaxUid) : undefined;
  if (encoding.encapsulated && !compressed)
    return { ok: false, reason: `the pixel data is ${describeTransferSyntax(opened.transferSyntaxUid)}, which the viewer cannot decode` };
  // Offsets in a deflated dataset count inflated bytes; reading one frame would mean inflating all before it.
  if (encoding.deflated) return { ok: false, reason: 'the dataset is deflated, which the viewer does not inflate' };
  const values = new Map<number, Buffer>();
  // Palette tables are up to 128 KiB each, more than the walker keeps: where they lie is read instead.
  const tables = new Map<number, ValueRange>();
  let pixel: { offset: number; length: number; undefinedLength: boolean } | undefined;
  const source = await openDatasetSource(opened);
  try {
    let depth = 0;
    for await (const event of walkEvents(source, {
      explicitVr: encoding.explicitVr,
      littleEndian: encoding.littleEndian,
      hashValues: false,
    })) {
      if (event.type === 'problem') return { ok: false, reason: `the dataset cannot be read: ${event.problem.reason}` };
      if (event.type === 'item') depth++;
      if (event.type === 'end' && event.container?.type === 'item') depth--;
      if (event.type !== 'element') continue;
      const node = event.node;
      if (depth === 0 && node.tag === PIXEL_DATA) {
        pixel = { offset: node.valueOffset, length: node.valueLength, undefinedLength: node.undefinedLength };
        break;
      }
      if (depth === 0 && (PALETTE_DATA.includes(node.tag) || SEGMENTED_PALETTE_DATA.includes(node.tag)))
        tables.set(node.tag, { offset: node.valueOffset, length: node.valueLength });
      const wanted = WANTED.has(node.tag) && node.value && !values.has(node.tag);
      if (wanted && (depth === 0 || (SHARED_ONLY.has(node.tag) && node.path.startsWith(SHARED_FUNCTIONAL_GROUPS))))
        values.set(node.tag, node.value!);
    }
  } finally {
    await source.close();
  }
  if (!pixel) return { ok: false, reason: 'this instance holds no image (no Pixel Data); what it holds is in its elements' };
  if (pixel.undefinedLength !== (compressed !== undefined))
    return {
      ok: false,
      reason: `the pixel data is ${pixel.undefinedLength ? 'encapsulated' : 'native'}, which its transfer syntax does not allow`,
    };
  const attributes = toAttributes(
    values,
    encoding.littleEndian,
    { ...pixel, length: compressed ? -1 : pixel.length },
    opened.transferSyntaxUid,
  );
  if (!attributes.ok || attributes.image.photometric !== 'PALETTE COLOR') return attributes;
  return withPalette(attributes.image, opened.path, values, tables);
}

/** A PALETTE COLOR image with its tables read, or why they cannot be. */
async function withPalette(
  image: ImageAttributes,
  path: string,
  values: Map<number, Buffer>,
  tables: Map<number, ValueRange>,
): Promise<ImageAttributesResult> {
  const segmented = SEGMENTED_PALETTE_DATA.some((tag) => tables.has(tag));
  const read = await readPalette(
    path,
    PALETTE_DESCRIPTORS.map((tag) => values.get(tag)),
    (segmented ? SEGMENTED_PALETTE_DATA : PALETTE_DATA).map((tag) => tables.get(tag)),
    image,
    segmented,
  );
  return read.ok ? { ok: true, image: { ...image, palette: read.palette } } : read;
}

function toAttributes(
  values: Map<number, Buffer>,
  littleEndian: boolean,
  pixel: { offset: number; length: number },
  transferSyntaxUid: string,
): ImageAttributesResult {
  const us = (tag: number) => {
    const v = values.get(tag);
    return v ? unsignedShort(v, littleEndian) : undefined;
  };
  const firstNumber = (tag: number) => {
    const text = values.get(tag)?.toString('latin1').split('\\')[0]?.trim();
    const n = text ? Number(text) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const rows = us(TAGS.rows);
  const columns = us(TAGS.columns);
  const bitsAllocated = us(TAGS.bitsAllocated);
  if (!rows || !columns || !bitsAllocated) return { ok: false, reason: 'the image has no Rows, Columns or Bits Allocated' };
  if (![1, 8, 16, 32].includes(bitsAllocated)) return { ok: false, reason: `the viewer does not show ${bitsAllocated}-bit pixels` };
  const bitsStored = us(TAGS.bitsStored) ?? bitsAllocated;
  const center = firstNumber(TAGS.windowCenter);
  const width = firstNumber(TAGS.windowWidth);
  const image: ImageAttributes = {
    rows,
    columns,
    bitsAllocated,
    bitsStored: Math.min(bitsStored, bitsAllocated),
    samplesPerPixel: us(TAGS.samplesPerPixel) ?? 1,
    photometric: codeStringOf(values.get(TAGS.photometric)) || 'MONOCHROME2',
    planarConfiguration: us(TAGS.planarConfiguration) ?? 0,
    frames: Math.max(1, Math.trunc(firstNumber(TAGS.frames) ?? 1)),
    highBit: us(TAGS.highBit) ?? Math.min(bitsStored, bitsAllocated) - 1,
    signed: us(TAGS.pixelRepresentation) === 1,
    littleEndian,
    rescaleSlope: firstNumber(TAGS.rescaleSlope) || 1,
    rescaleIntercept: firstNumber(TAGS.rescaleIntercept) ?? 0,
    window: center !== undefined && width !== undefined && width > 0 ? { center, width } : undefined,
    pixelOffset: pixel.offset,
    pixelLength: pixel.length,
    transferSyntaxUid,
  };
  return { ok: true, image };
}

const codeStringOf = (value: Buffer | undefined) => (value ? codeString(value) : undefined);

/** Bytes of one frame (1-bit pixels: rounded up, as a frame need not start or end on a byte). */
export function frameBytes(image: ImageAttributes): number {
  return Math.ceil((image.rows * image.columns * image.samplesPerPixel * image.bitsAllocated) / 8);
}

/**
 * Where native frame `frame` lies in the pixel data: its first byte, how many bytes hold it, and
 * the bit of the first byte where it starts (0 but for 1-bit pixels, whose frames are not padded
 * to whole bytes: PS3.5 8.1.1).
 */
export function frameSpan(image: ImageAttributes, frame: number): { offset: number; length: number; firstBit: number } {
  const bits = image.rows * image.columns * image.samplesPerPixel * image.bitsAllocated;
  const startBit = frame * bits;
  const offset = Math.floor(startBit / 8);
  return { offset, length: Math.ceil((startBit + bits) / 8) - offset, firstBit: startBit % 8 };
}
