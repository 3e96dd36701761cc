/**
 * Rewrites a dataset from one encoding to another element by element, in one forward pass over a
 * ByteSource, yielding output bytes as it goes. What changes is only what the target syntax
 * requires:
 * - element headers (explicit/implicit VR, byte order);
 * - values with a byte order (US, SS, OW, UL, SL, FL, OF, OL, FD, OD, SV, UV, OV, AT) are swapped
 *   between little and big endian; text, OB and UN are bytes and are left alone;
 * - when header sizes change (implicit <-> explicit), sequences and items are written with
 *   undefined length and delimiters, and group lengths (gggg,0000) are left out, since their
 *   values would no longer be true (PS3.5 §7.2 makes them optional);
 * - encapsulated pixel data is decoded frame by frame into native pixel data, with Photometric
 *   Interpretation and Planar Configuration changed where decoding changes them, and the
 *   Extended Offset Table (7FE0,0001/0002), which describes fragments, left out.
 * Every other element, private ones and sequences included, is written with the same value.
 * An element implicit VR leaves without a known VR becomes UN in explicit VR, as PS3.5 §6.2.2 says.
 */
import {
  hasShortLength,
  implicitVr,
  InvalidVrError,
  ITEM,
  ITEM_DELIMITER,
  readElementHeader,
  SEQUENCE_DELIMITER,
  UNDEFINED_LENGTH,
  type ElementHeader,
  type HeaderSyntax,
} from '../dicom/element-reader.ts';
import {
  isPixelLayoutTag,
  notePixelLayout,
  PHOTOMETRIC_INTERPRETATION,
  PLANAR_CONFIGURATION,
  type PixelLayout,
} from '../dicom/pixel-layout.ts';
import { formatTag } from '../dicom/tag-format.ts';
import { isUsOrSs } from '../dicom/tag-keywords.ts';
import type { ByteSource } from '../inspect/byte-source.ts';
import { encapsulatedFrames } from './encapsulated-frames.ts';
import { decodeNativeFrame, type ImageAttributes, type loadCodecs } from './frame-decoder.ts';
import { TranscodeError } from './transcode-error.ts';
import { decodedPhotometric, type CompressedSyntax } from './transcode-syntaxes.ts';
import { swapInPlace } from './value-swap.ts';
import { swapUnit } from '../dicom/element-reader.ts';

type Codecs = Awaited<ReturnType<typeof loadCodecs>>;

export interface RewriteOptions {
  source: ByteSource;
  from: HeaderSyntax;
  to: HeaderSyntax;
  /** Set when the source's pixel data is encapsulated and is to be decoded. */
  decoding?: { syntax: CompressedSyntax; codecs: Codecs };
}

/** Where the elements being read live, and how their container's lengths are written. */
interface Context {
  from: HeaderSyntax;
  to: HeaderSyntax;
  topLevel: boolean;
  /** Container lengths are copied as they are (header sizes do not change inside); else they become undefined lengths. */
  keepLengths: boolean;
}

const PIXEL_DATA = 0x7fe00010;
const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
const VALUE_CHUNK_BYTES = 1024 * 1024;
/** CP-246: the content of a UN of undefined length is implicit VR little endian, in and out. */
const IMPLICIT_LE: HeaderSyntax = { explicitVr: false, littleEndian: true };

export async function* rewriteDataset(options: RewriteOptions): AsyncGenerator<Buffer> {
  yield* new DatasetRewriter(options).run();
}

class DatasetRewriter {
  private readonly source: ByteSource;
  private readonly options: RewriteOptions;
  /** Top-level image attributes read on the way, for decoding and for choosing OB or OW. */
  private readonly image: PixelLayout = {};

  constructor(options: RewriteOptions) {
    this.source = options.source;
    this.options = options;
  }

  async *run(): AsyncGenerator<Buffer> {
    const { from, to } = this.options;
    const sameHeaderSizes = from.explicitVr === to.explicitVr;
    // Top-level group lengths also count pixel data, whose length decoding changes.
    yield* this.dataset({ from, to, topLevel: true, keepLengths: sameHeaderSizes && !this.options.decoding }, undefined, false);
  }

  /** Elements up to `end` (a defined-length item), to an item delimiter (`delimited`), or to the end of the data. */
  private async *dataset(context: Context, end: number | undefined, delimited: boolean): AsyncGenerator<Buffer> {
    for (;;) {
      if (end !== undefined && this.source.position >= end) {
        if (this.source.position > end) throw new TranscodeError(`an element runs past the end of its item (byte ${end})`);
        return;
      }
      if (end === undefined && !delimited && (await this.source.atEnd())) return;
      const at = this.source.position;
      const header = await this.readHeader(context.from);
      if (header.tag === ITEM_DELIMITER && delimited) {
        yield encodeItemHeader(ITEM_DELIMITER, 0, context.to);
        return;
      }
      if (header.tag >>> 16 === 0xfffe) throw new TranscodeError(`unexpected ${formatTag(header.tag)} at byte ${at}`);
      yield* this.element(context, header);
    }
  }

  private async *element(context: Context, header: ElementHeader): AsyncGenerator<Buffer> {
    const { tag } = header;
    const vr = header.vrInHeader ? header.vr : this.implicitVr(tag);
    const dropGroupLength = (tag & 0xffff) === 0 && !context.keepLengths;
    const decoding = context.topLevel && this.options.decoding;
    if (dropGroupLength || (decoding && (tag === EXTENDED_OFFSET_TABLE || tag === EXTENDED_OFFSET_TABLE_LENGTHS))) {
      await this.source.pass(header.length);
      return;
    }
    if (header.length === UNDEFINED_LENGTH) {
      if (tag === PIXEL_DATA && decoding) {
        yield* this.decodedPixelData(context.to);
        return;
      }
      if (vr !== 'SQ' && vr !== 'UN')
        throw new TranscodeError(
          `element ${formatTag(tag)} (${vr}) has undefined length; only sequences and encapsulated top-level pixel data may`,
        );
      yield* this.sequence(context, tag, vr, undefined);
      return;
    }
    if (vr === 'SQ') {
      yield* this.sequence(context, tag, vr, header.length);
      return;
    }
    yield* this.leaf(context, tag, vr, header);
  }

  /** A sequence (or a UN holding items, CP-246) and its items. */
  private async *sequence(context: Context, tag: number, vr: string, length: number | undefined): AsyncGenerator<Buffer> {
    const cp246 = vr === 'UN';
    const inner: Context = cp246
      ? { from: IMPLICIT_LE, to: IMPLICIT_LE, topLevel: false, keepLengths: true }
      : { ...context, topLevel: false, keepLengths: context.from.explicitVr === context.to.explicitVr };
    const keep = length !== undefined && context.keepLengths;
    // Item and delimiter headers follow the content's syntax: implicit LE inside a CP-246 UN.
    const itemSyntax = cp246 ? IMPLICIT_LE : context.to;
    yield encodeHeader(tag, vr, keep ? length : UNDEFINED_LENGTH, context.to);
    const end = length === undefined ? undefined : this.source.position + length;
    for (;;) {
      if (end !== undefined && this.source.position >= end) {
        if (this.source.position > end) throw new TranscodeError(`an item runs past the end of sequence ${formatTag(tag)} (byte ${end})`);
        if (!keep) yield encodeItemHeader(SEQUENCE_DELIMITER, 0, itemSyntax);
        return;
      }
      const at = this.source.position;
      const item = await this.readHeader(inner.from);
      if (item.tag === SEQUENCE_DELIMITER && end === undefined) {
        yield encodeItemHeader(SEQUENCE_DELIMITER, 0, itemSyntax);
        return;
      }
      if (item.tag !== ITEM)
        throw new TranscodeError(`expected an item (FFFE,E000) in ${formatTag(tag)} at byte ${at}, found ${formatTag(item.tag)}`);
      if (item.length === UNDEFINED_LENGTH) {
        yield encodeItemHeader(ITEM, UNDEFINED_LENGTH, itemSyntax);
        yield* this.dataset(inner, undefined, true);
      } else if (inner.keepLengths) {
        yield encodeItemHeader(ITEM, item.length, itemSyntax);
        yield* this.dataset(inner, this.source.position + item.length, false);
      } else {
        yield encodeItemHeader(ITEM, UNDEFINED_LENGTH, itemSyntax);
        yield* this.dataset(inner, this.source.position + item.length, false);
        yield encodeItemHeader(ITEM_DELIMITER, 0, itemSyntax);
      }
    }
  }

  /** An element with a value: same value, in the target's byte order, under the target's header. */
  private async *leaf(context: Context, tag: number, vr: string, header: ElementHeader): AsyncGenerator<Buffer> {
    // Implicit VR pixel data is OW (PS3.5 §A.1) and stays OW, as DCMTK keeps it.
    let outVr = vr;
    // A value too long for a 2-byte length can only be written explicitly as UN.
    if (context.to.explicitVr && hasShortLength(outVr) && header.length > 0xffff) outVr = 'UN';
    const swap = context.from.littleEndian !== context.to.littleEndian ? swapUnit(outVr) : 0;
    if (context.topLevel && isPixelLayoutTag(tag) && header.length <= 64) {
      const value = this.imageAttribute(tag, await this.source.read(header.length), context.from.littleEndian);
      yield encodeHeader(tag, outVr, value.length, context.to);
      yield swapInPlace(value, swap);
      return;
    }
    yield encodeHeader(tag, outVr, header.length, context.to);
    for (let left = header.length; left > 0;) {
      const take = Math.min(left, VALUE_CHUNK_BYTES);
      yield swapInPlace(await this.source.read(take), swap);
      left -= take;
    }
  }

  /** Notes an image attribute and returns the value to write (in the source's byte order). */
  private imageAttribute(tag: number, value: Buffer, littleEndian: boolean): Buffer {
    notePixelLayout(this.image, tag, value, littleEndian);
    const decoding = this.options.decoding;
    if (!decoding) return value;
    if (tag === PHOTOMETRIC_INTERPRETATION) {
      const photometric = this.image.photometric!;
      const decoded = decodedPhotometric(decoding.syntax, photometric);
      if (decoded !== photometric) return Buffer.from(decoded.length % 2 ? `${decoded} ` : decoded, 'latin1');
    }
    // Decoded frames are written interleaved.
    if (tag === PLANAR_CONFIGURATION && value.length === 2) return Buffer.alloc(2);
    return value;
  }

  private async *decodedPixelData(to: HeaderSyntax): AsyncGenerator<Buffer> {
    const { syntax, codecs } = this.options.decoding!;
    const image = this.requireImage();
    const frames = this.image.frames && this.image.frames > 0 ? this.image.frames : 1;
    const bytesPerSample = image.bitsAllocated / 8;
    const frameBytes = image.rows * image.columns * image.samplesPerPixel * bytesPerSample;
    const total = frameBytes * frames;
    const vr = image.bitsAllocated <= 8 ? 'OB' : 'OW';
    yield encodeHeader(PIXEL_DATA, vr, total + (total % 2), to);
    const swap = to.littleEndian ? 0 : swapUnit(vr);
    let index = 0;
    for await (const encoded of encapsulatedFrames(this.source, { frameCount: frames, oneFragmentPerFrame: syntax.decoder === 'rle' })) {
      if (index >= frames) throw new TranscodeError(`the pixel data holds more than the ${frames} frame(s) Number of Frames declares`);
      yield swapInPlace(decodeNativeFrame(codecs, syntax, image, encoded, { index, of: frames }), swap);
      index++;
    }
    if (index < frames) throw new TranscodeError(`the pixel data holds ${index} frame(s), Number of Frames declares ${frames}`);
    if (total % 2) yield Buffer.alloc(1);
  }

  private requireImage(): ImageAttributes {
    const { rows, columns, bitsAllocated, photometric } = this.image;
    if (!rows || !columns || !bitsAllocated || !photometric) {
      throw new TranscodeError(
        'pixel data cannot be decoded without Rows, Columns, Bits Allocated and Photometric Interpretation before it',
      );
    }
    if (bitsAllocated % 8 !== 0) throw new TranscodeError(`pixel data with Bits Allocated ${bitsAllocated} cannot be decoded`);
    return {
      rows,
      columns,
      bitsAllocated,
      photometric,
      bitsStored: this.image.bitsStored ?? bitsAllocated,
      samplesPerPixel: this.image.samplesPerPixel ?? 1,
      pixelRepresentation: this.image.pixelRepresentation ?? 0,
      planarConfiguration: this.image.planarConfiguration ?? 0,
    };
  }

  /** The dictionary VR, with "US or SS" resolved by Pixel Representation as DCMTK does (signed pixels: SS). */
  private implicitVr(tag: number): string {
    const vr = implicitVr(tag);
    return vr === 'US' && this.image.pixelRepresentation === 1 && isUsOrSs(tag) ? 'SS' : vr;
  }

  private async readHeader(syntax: HeaderSyntax): Promise<ElementHeader> {
    const at = this.source.position;
    let bytes = await this.source.read(8);
    try {
      let header = readElementHeader(bytes, 0, syntax);
      if (!header) {
        bytes = Buffer.concat([bytes, await this.source.read(4)]);
        header = readElementHeader(bytes, 0, syntax)!;
      }
      return header;
    } catch (err) {
      if (err instanceof InvalidVrError)
        throw new TranscodeError(
          `element ${formatTag(err.tag)} at byte ${at} has no valid VR: the dataset is not encoded as its transfer syntax says`,
        );
      throw err;
    }
  }
}

function encodeHeader(tag: number, vr: string, length: number, to: HeaderSyntax): Buffer {
  const le = to.littleEndian;
  if (!to.explicitVr) return encodeItemHeader(tag, length, to);
  const short = hasShortLength(vr);
  const out = Buffer.alloc(short ? 8 : 12);
  writeTag(out, tag, le);
  out.write(vr, 4, 'latin1');
  if (short) {
    if (le) out.writeUInt16LE(length, 6);
    else out.writeUInt16BE(length, 6);
  } else if (le) out.writeUInt32LE(length, 8);
  else out.writeUInt32BE(length, 8);
  return out;
}

/** Tag and 4-byte length: items, delimiters and every implicit VR element. */
function encodeItemHeader(tag: number, length: number, to: HeaderSyntax): Buffer {
  const out = Buffer.alloc(8);
  writeTag(out, tag, to.littleEndian);
  if (to.littleEndian) out.writeUInt32LE(length, 4);
  else out.writeUInt32BE(length, 4);
  return out;
}

function writeTag(out: Buffer, tag: number, littleEndian: boolean): void {
  if (littleEndian) {
    out.writeUInt16LE(tag >>> 16, 0);
    out.writeUInt16LE(tag & 0xffff, 2);
  } else {
    out.writeUInt16BE(tag >>> 16, 0);
    out.writeUInt16BE(tag & 0xffff, 2);
  }
}
