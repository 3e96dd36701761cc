/**
 * Synthetic DICOM files for tests, written element by element.
 *
 * Deliberately independent of src-main (no p10-writer, no transfer-syntax module): a bug in the
 * code under test must not be able to hide itself by also shaping the fixtures. Same options give
 * identical bytes, so tests can compare bytes against a fixture rebuilt on the spot.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { LONG_VRS } from './element-encoding.ts';

export interface FixtureOptions {
  /** Default Explicit VR Little Endian. Any syntax other than the four native ones is written encapsulated. */
  transferSyntaxUid?: string;
  // Grouped by the information entity each attribute belongs to, as a test thinks of them.
  // Patient
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  // Study
  studyInstanceUid?: string;
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyDescription?: string;
  // Series; the modality defaults to the SOP class's.
  seriesInstanceUid?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  // Instance; SOP class default CT Image Storage; no Number of Frames or Specific Character Set unless given.
  sopClassUid?: string;
  sopInstanceUid?: string;
  instanceNumber?: number;
  numberOfFrames?: number;
  specificCharacterSet?: string;
  /** Pixel data payload size: native OW (rounded up to even), or the total of the fragments when encapsulated. Default 256. */
  pixelDataBytes?: number;
  /** Adds what a re-encoder would change: undefined-length sequence and item, two unpadded odd-length LOs (dataset length stays even), private tags, trailing padding. */
  edgeCases?: boolean;
  seed?: number;
}

export const FixtureTransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  JpegLossless: '1.2.840.10008.1.2.4.70',
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  RleLossless: '1.2.840.10008.1.2.5',
} as const;

export const SopClass = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  EnhancedCT: '1.2.840.10008.5.1.4.1.1.2.1',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  US: '1.2.840.10008.5.1.4.1.1.6.1',
  SecondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  MultiFrameGrayscaleWordSC: '1.2.840.10008.5.1.4.1.1.7.3',
} as const;

/** The fixture writer's own identity in the meta group (so files never look gateway-made). */
export const FIXTURE_IMPLEMENTATION_CLASS_UID = '1.2.3.4.5.6.7.8.9';
export const FIXTURE_IMPLEMENTATION_VERSION_NAME = 'TEST_FIXTURE';
const UID_ROOT = '1.2.3.4.5.6.7.8.9';

const MODALITY_BY_SOP_CLASS: Record<string, string> = {
  [SopClass.CT]: 'CT',
  [SopClass.EnhancedCT]: 'CT',
  [SopClass.MR]: 'MR',
  [SopClass.CR]: 'CR',
  [SopClass.DX]: 'DX',
  [SopClass.US]: 'US',
  [SopClass.SecondaryCapture]: 'OT',
  [SopClass.MultiFrameGrayscaleWordSC]: 'OT',
};

// ---------------------------------------------------------------------------------------------
// Encoding

interface Encoding {
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  encapsulated: boolean;
}

function encodingOf(ts: string): Encoding {
  switch (ts) {
    case FixtureTransferSyntax.ImplicitVRLittleEndian:
      return { explicitVr: false, littleEndian: true, deflated: false, encapsulated: false };
    case FixtureTransferSyntax.ExplicitVRLittleEndian:
      return { explicitVr: true, littleEndian: true, deflated: false, encapsulated: false };
    case FixtureTransferSyntax.DeflatedExplicitVRLittleEndian:
      return { explicitVr: true, littleEndian: true, deflated: true, encapsulated: false };
    case FixtureTransferSyntax.ExplicitVRBigEndian:
      return { explicitVr: true, littleEndian: false, deflated: false, encapsulated: false };
    default:
      return { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true };
  }
}

const UNDEFINED_LENGTH = 0xffffffff;

/** Appends encoded pieces; one instance per dataset, Buffer.concat once at the end. */
class DatasetWriter {
  readonly parts: Buffer[] = [];
  readonly enc: Encoding;
  constructor(enc: Encoding) {
    this.enc = enc;
  }

  header(tag: number, vr: string, length: number): void {
    const { explicitVr, littleEndian } = this.enc;
    const long = !explicitVr || LONG_VRS.has(vr);
    const b = Buffer.alloc(explicitVr && long ? 12 : 8);
    const u16 = (v: number, o: number) => (littleEndian ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
    const u32 = (v: number, o: number) => (littleEndian ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
    u16(tag >>> 16, 0);
    u16(tag & 0xffff, 2);
    if (!explicitVr) u32(length, 4);
    else {
      b.write(vr, 4, 'latin1');
      if (long) u32(length, 8);
      else u16(length, 6);
    }
    this.parts.push(b);
  }

  /** Item, item delimiter and sequence delimiter tags carry no VR in any syntax. */
  itemTag(tag: number, length: number): void {
    const b = Buffer.alloc(8);
    if (this.enc.littleEndian) {
      b.writeUInt16LE(tag >>> 16, 0);
      b.writeUInt16LE(tag & 0xffff, 2);
      b.writeUInt32LE(length, 4);
    } else {
      b.writeUInt16BE(tag >>> 16, 0);
      b.writeUInt16BE(tag & 0xffff, 2);
      b.writeUInt32BE(length, 4);
    }
    this.parts.push(b);
  }

  raw(tag: number, vr: string, value: Buffer): void {
    this.header(tag, vr, value.length);
    this.parts.push(value);
  }

  text(tag: number, vr: string, value: string, charset?: string): void {
    const bytes = Buffer.from(value, textEncodingFor(vr, charset));
    this.raw(tag, vr, padEven(bytes, vr === 'UI' ? 0x00 : 0x20));
  }

  /** The deliberate edge case: an odd-length value written as is, without its padding byte. */
  oddText(tag: number, vr: string, value: string): void {
    this.raw(tag, vr, Buffer.from(value, 'latin1'));
  }

  us(tag: number, value: number): void {
    const b = Buffer.alloc(2);
    if (this.enc.littleEndian) b.writeUInt16LE(value);
    else b.writeUInt16BE(value);
    this.raw(tag, 'US', b);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function textEncodingFor(vr: string, charset: string | undefined): BufferEncoding {
  // Only the character-set sensitive VRs follow (0008,0005); everything else is the default repertoire.
  const sensitive = vr === 'PN' || vr === 'LO' || vr === 'SH' || vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UC';
  return sensitive && charset?.includes('ISO_IR 192') ? 'utf8' : 'latin1';
}

function padEven(value: Buffer, pad: number): Buffer {
  if (value.length % 2 === 0) return value;
  const out = Buffer.alloc(value.length + 1, pad);
  value.copy(out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Content

interface Resolved {
  ts: string;
  enc: Encoding;
  seed: number;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  pixelDataBytes: number;
  opts: FixtureOptions;
}

function resolve(opts: FixtureOptions): Resolved {
  const ts = opts.transferSyntaxUid ?? FixtureTransferSyntax.ExplicitVRLittleEndian;
  const seed = opts.seed ?? 1;
  const instance = opts.instanceNumber ?? 1;
  const pixelDataBytes = opts.pixelDataBytes ?? 256;
  if (!Number.isInteger(pixelDataBytes) || pixelDataBytes < 0)
    throw new Error(`pixelDataBytes must be a non-negative integer, got ${pixelDataBytes}`);
  return {
    ts,
    enc: encodingOf(ts),
    seed,
    sopClassUid: opts.sopClassUid ?? SopClass.CT,
    studyInstanceUid: opts.studyInstanceUid ?? `${UID_ROOT}.1.${seed}`,
    seriesInstanceUid: opts.seriesInstanceUid ?? `${UID_ROOT}.2.${seed}`,
    sopInstanceUid: opts.sopInstanceUid ?? `${UID_ROOT}.3.${seed}.${instance}`,
    pixelDataBytes,
    opts,
  };
}

/** Deterministic pixel bytes for [start, start+length) of the payload; any chunking gives the same bytes. */
function pixelBytes(seed: number, start: number, length: number, littleEndian: boolean): Buffer {
  // Generated as little-endian 16-bit words from a per-word hash, so BE files hold the same pixel values.
  const firstWord = Math.floor(start / 2);
  const words = Math.ceil((start + length) / 2) - firstWord;
  const out = Buffer.allocUnsafe(words * 2);
  const s = Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b;
  for (let i = 0; i < words; i++) {
    let h = Math.imul((firstWord + i) ^ s, 0x2c1b3c6d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 13;
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = (h >>> 8) & 0xff;
  }
  if (!littleEndian) out.swap16();
  const skip = start - firstWord * 2;
  return out.subarray(skip, skip + length);
}

/** Rows × Columns that fit US and multiply to the pixels of one frame when possible (viewers check; dcmdump does not). */
export function geometry(pixelsPerFrame: number): { rows: number; columns: number } {
  if (pixelsPerFrame <= 0) return { rows: 0, columns: 0 };
  let rows = Math.floor(Math.sqrt(pixelsPerFrame));
  for (let tries = 0; rows > 0 && tries < 200_000; rows--, tries++) {
    const columns = pixelsPerFrame / rows;
    if (Number.isInteger(columns)) {
      if (columns <= 0xffff && rows <= 0xffff) return { rows, columns };
      break;
    }
  }
  return { rows: 1, columns: Math.min(pixelsPerFrame, 0xffff) };
}

/** Everything before Pixel Data, in ascending tag order. */
function writeHead(w: DatasetWriter, r: Resolved): void {
  const o = r.opts;
  const cs = o.specificCharacterSet;
  const frames = o.numberOfFrames ?? 1;
  const bitsAllocated = r.enc.encapsulated ? 8 : 16;
  const pixelsPerFrame = Math.floor(Math.ceil(r.pixelDataBytes / (bitsAllocated / 8)) / Math.max(frames, 1));
  const { rows, columns } = geometry(pixelsPerFrame);

  if (cs !== undefined) w.text(0x00080005, 'CS', cs);
  w.text(0x00080016, 'UI', r.sopClassUid);
  w.text(0x00080018, 'UI', r.sopInstanceUid);
  w.text(0x00080020, 'DA', o.studyDate ?? '20240102');
  w.text(0x00080030, 'TM', o.studyTime ?? '101500');
  w.text(0x00080050, 'SH', o.accessionNumber ?? `ACC${r.seed}`, cs);
  w.text(0x00080060, 'CS', o.modality ?? MODALITY_BY_SOP_CLASS[r.sopClassUid] ?? 'OT');
  w.text(0x00081030, 'LO', o.studyDescription ?? 'FIXTURE STUDY', cs);
  w.text(0x0008103e, 'LO', o.seriesDescription ?? 'FIXTURE SERIES', cs);
  if (o.edgeCases) {
    writeUndefinedLengthSequence(w, r);
    // Private block: creator in (0009,0010) reserves (0009,10xx).
    w.text(0x00090010, 'LO', 'FIXTURE PRIVATE', cs);
    w.text(0x00091001, 'LO', `private ${r.seed}`, cs);
    w.raw(0x00091002, 'OB', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]));
  }
  w.text(0x00100010, 'PN', o.patientName ?? 'DOE^JOHN', cs);
  w.text(0x00100020, 'LO', o.patientId ?? `PID${r.seed}`, cs);
  w.text(0x00100030, 'DA', o.patientBirthDate ?? '19700101');
  w.text(0x00100040, 'CS', o.patientSex ?? 'O');
  if (o.edgeCases) {
    // Two unpadded odd-length values: each is wrong on its own, but the dataset stays even-length,
    // as DCMTK refuses odd-length P-DATA fragments and so could never receive it otherwise.
    w.oddText(0x00181000, 'LO', 'SN12345'); // Device Serial Number, 7 bytes, no pad
    w.oddText(0x00181030, 'LO', 'ODD'); // Protocol Name, 3 bytes, no pad
  }
  w.text(0x0020000d, 'UI', r.studyInstanceUid);
  w.text(0x0020000e, 'UI', r.seriesInstanceUid);
  w.text(0x00200011, 'IS', String(o.seriesNumber ?? 1));
  w.text(0x00200013, 'IS', String(o.instanceNumber ?? 1));
  w.us(0x00280002, 1);
  w.text(0x00280004, 'CS', 'MONOCHROME2');
  if (o.numberOfFrames !== undefined) w.text(0x00280008, 'IS', String(o.numberOfFrames));
  w.us(0x00280010, rows);
  w.us(0x00280011, columns);
  w.us(0x00280100, bitsAllocated);
  w.us(0x00280101, bitsAllocated);
  w.us(0x00280102, bitsAllocated - 1);
  w.us(0x00280103, 0);
}

/** Referenced Image Sequence (0008,1140), undefined length, one undefined-length item. */
function writeUndefinedLengthSequence(w: DatasetWriter, r: Resolved): void {
  w.header(0x00081140, 'SQ', UNDEFINED_LENGTH);
  w.itemTag(0xfffee000, UNDEFINED_LENGTH);
  w.text(0x00081150, 'UI', r.sopClassUid);
  w.text(0x00081155, 'UI', `${UID_ROOT}.4.${r.seed}`);
  w.itemTag(0xfffee00d, 0);
  w.itemTag(0xfffee0dd, 0);
}

function nativePixelLength(r: Resolved): number {
  return r.pixelDataBytes + (r.pixelDataBytes % 2);
}

function writePixelData(w: DatasetWriter, r: Resolved): void {
  if (!r.enc.encapsulated) {
    w.raw(0x7fe00010, 'OW', pixelBytes(r.seed, 0, nativePixelLength(r), r.enc.littleEndian));
    return;
  }
  w.header(0x7fe00010, 'OB', UNDEFINED_LENGTH);
  w.itemTag(0xfffee000, 0); // empty basic offset table
  const payload = pixelBytes(r.seed, 0, r.pixelDataBytes, true);
  let offset = 0;
  for (const size of fragmentSizes(r.pixelDataBytes, r.opts.numberOfFrames ?? 1)) {
    const fragment = padEven(payload.subarray(offset, offset + size), 0x00);
    offset += size;
    w.itemTag(0xfffee000, fragment.length);
    w.parts.push(fragment);
  }
  w.itemTag(0xfffee0dd, 0);
}

/** One fragment per frame, and at least two so multi-fragment handling is exercised. */
function fragmentSizes(total: number, frames: number): number[] {
  if (total === 0) return [];
  const count = Math.min(Math.max(frames, 2), total);
  const sizes: number[] = [];
  let left = total;
  for (let i = count; i > 0; i--) {
    const size = Math.ceil(left / i);
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

function writeTail(w: DatasetWriter, r: Resolved): void {
  if (r.opts.edgeCases) w.raw(0xfffcfffc, 'OB', Buffer.alloc(8)); // Data Set Trailing Padding
}

// ---------------------------------------------------------------------------------------------
// Public API

/** The dataset bytes in the syntax (raw-deflated when the syntax is deflated). */
export function buildDataset(opts: FixtureOptions = {}): Buffer {
  const r = resolve(opts);
  const w = new DatasetWriter(r.enc);
  writeHead(w, r);
  writePixelData(w, r);
  writeTail(w, r);
  const plain = w.toBuffer();
  return r.enc.deflated ? deflateRawSync(plain) : plain;
}

/** Preamble, `DICM` and an explicit-LE meta group naming the fixture writer as implementation. */
export function buildMetaHeader(opts: FixtureOptions = {}): Buffer {
  const r = resolve(opts);
  const le: Encoding = { explicitVr: true, littleEndian: true, deflated: false, encapsulated: false };
  const w = new DatasetWriter(le);
  w.raw(0x00020001, 'OB', Buffer.from([0x00, 0x01]));
  w.text(0x00020002, 'UI', r.sopClassUid);
  w.text(0x00020003, 'UI', r.sopInstanceUid);
  w.text(0x00020010, 'UI', r.ts);
  w.text(0x00020012, 'UI', FIXTURE_IMPLEMENTATION_CLASS_UID);
  w.text(0x00020013, 'SH', FIXTURE_IMPLEMENTATION_VERSION_NAME);
  const body = w.toBuffer();
  const groupLength = new DatasetWriter(le);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  groupLength.raw(0x00020000, 'UL', length);
  const prefix = Buffer.alloc(132);
  prefix.write('DICM', 128, 'latin1');
  return Buffer.concat([prefix, groupLength.toBuffer(), body]);
}

export function buildP10File(opts: FixtureOptions = {}): Buffer {
  return Buffer.concat([buildMetaHeader(opts), buildDataset(opts)]);
}

/** The bytes after the file meta group (found by walking the explicit-LE (0002,xxxx) elements). */
export function datasetRegion(file: Buffer): Buffer {
  let offset = file.length >= 132 && file.toString('latin1', 128, 132) === 'DICM' ? 132 : file.toString('latin1', 0, 4) === 'DICM' ? 4 : 0;
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    offset += LONG_VRS.has(vr) ? 12 + file.readUInt32LE(offset + 8) : 8 + file.readUInt16LE(offset + 6);
  }
  return file.subarray(offset);
}

/** Where the US element `tag` (value length 2) starts in a fixture dataset of `transferSyntaxUid`, found by its header bytes. */
export function usElementOffset(dataset: Buffer, transferSyntaxUid: string, tag: number): number {
  const w = new DatasetWriter(encodingOf(transferSyntaxUid));
  w.header(tag, 'US', 2);
  const offset = dataset.indexOf(w.toBuffer());
  if (offset < 0) throw new Error(`fixture has no US element ${tag.toString(16).padStart(8, '0')}`);
  return offset;
}

/**
 * Writes `count` files named 0001.dcm, 0002.dcm, ... With a plain options object, each file gets
 * Instance Number i+1 (and so its own SOP Instance UID) unless the options fix them.
 */
export async function writeP10Files(dir: string, count: number, opts: FixtureOptions | ((i: number) => FixtureOptions)): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const width = Math.max(4, String(count).length);
  const paths = Array.from({ length: count }, (_, i) => join(dir, `${String(i + 1).padStart(width, '0')}.dcm`));
  const optionsFor = (i: number): FixtureOptions =>
    typeof opts === 'function' ? opts(i) : { ...opts, instanceNumber: opts.instanceNumber ?? i + 1 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await writeFile(paths[i]!, buildP10File(optionsFor(i)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, count) }, worker));
  return paths;
}

const LARGE_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Writes a native-syntax file whose pixel data is streamed in chunks, so 1 GiB never sits in memory.
 * The bytes equal buildP10File(opts) for the same options.
 */
export async function writeLargeP10File(path: string, opts: FixtureOptions & { pixelDataBytes: number }): Promise<void> {
  const r = resolve(opts);
  if (r.enc.encapsulated || r.enc.deflated) throw new Error(`writeLargeP10File supports native, non-deflated syntaxes only, not ${r.ts}`);
  const head = new DatasetWriter(r.enc);
  writeHead(head, r);
  const pixelLength = nativePixelLength(r);
  head.header(0x7fe00010, 'OW', pixelLength);
  const tail = new DatasetWriter(r.enc);
  writeTail(tail, r);

  const out = createWriteStream(path);
  const write = (chunk: Buffer) =>
    new Promise<void>((resolveWrite, reject) => {
      out.write(chunk, (err) => (err ? reject(err) : resolveWrite()));
    });
  try {
    await write(buildMetaHeader(opts));
    await write(head.toBuffer());
    for (let start = 0; start < pixelLength; start += LARGE_CHUNK_BYTES) {
      await write(pixelBytes(r.seed, start, Math.min(LARGE_CHUNK_BYTES, pixelLength - start), r.enc.littleEndian));
    }
    await write(tail.toBuffer());
  } finally {
    await new Promise<void>((resolveEnd, reject) => {
      out.once('error', reject);
      out.end(() => resolveEnd());
    });
  }
}
