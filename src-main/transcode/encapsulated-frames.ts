/**
 * Reads encapsulated pixel data (PS3.5 §A.4) fragment by fragment and hands back one frame's
 * compressed bytes at a time, so only one frame is ever in memory. Which fragments make a frame:
 * every fragment when there is one frame; else the Basic Offset Table when it has entries; else
 * one frame per fragment for RLE (§A.4.2 puts each RLE frame in one fragment) and, for the other
 * codecs, a new frame at each fragment that opens with a codestream start (JPEG and JPEG-LS SOI,
 * JPEG 2000 SOC or a JP2 signature box).
 */
import { ITEM, readElementHeader, SEQUENCE_DELIMITER, type HeaderSyntax } from '../dicom/element-reader.ts';
import { formatTag } from '../dicom/tag-format.ts';
import type { ByteSource } from '../inspect/byte-source.ts';
import { TranscodeError } from './transcode-error.ts';

/** Fragment item headers are little endian in every encapsulated syntax. */
const FRAGMENT_SYNTAX: HeaderSyntax = { explicitVr: true, littleEndian: true };

export interface FrameGrouping {
  frameCount: number;
  /** One fragment is one frame (RLE). */
  oneFragmentPerFrame: boolean;
}

export async function* encapsulatedFrames(source: ByteSource, grouping: FrameGrouping): AsyncGenerator<Buffer> {
  const offsetTable = await readFragment(source);
  if (offsetTable === undefined) return;
  const offsets = readOffsets(offsetTable);
  const firstFragmentAt = source.position;
  let pending: Buffer[] = [];
  let frameIndex = 0;
  for (;;) {
    const fragmentAt = source.position - firstFragmentAt;
    const fragment = await readFragment(source);
    if (fragment === undefined) break;
    if (pending.length > 0 && startsNewFrame(grouping, offsets, frameIndex, fragmentAt, fragment)) {
      yield Buffer.concat(pending);
      pending = [];
      frameIndex++;
    }
    pending.push(fragment);
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

function startsNewFrame(grouping: FrameGrouping, offsets: number[], frameIndex: number, fragmentAt: number, fragment: Buffer): boolean {
  if (grouping.frameCount <= 1) return false;
  if (offsets.length > 1) return offsets[frameIndex + 1] !== undefined && fragmentAt >= offsets[frameIndex + 1]!;
  if (grouping.oneFragmentPerFrame) return true;
  return opensCodestream(fragment);
}

function opensCodestream(fragment: Buffer): boolean {
  if (fragment.length >= 2 && fragment[0] === 0xff && (fragment[1] === 0xd8 || fragment[1] === 0x4f)) return true;
  // JP2 signature box: length 12, type 'jP  '.
  return fragment.length >= 8 && fragment.readUInt32BE(0) === 12 && fragment.toString('latin1', 4, 8) === 'jP  ';
}

function readOffsets(table: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + 4 <= table.length; at += 4) offsets.push(table.readUInt32LE(at));
  return offsets;
}

/** The next fragment's bytes, or undefined at the sequence delimiter. */
async function readFragment(source: ByteSource): Promise<Buffer | undefined> {
  const at = source.position;
  const header = readElementHeader(await source.read(8), 0, FRAGMENT_SYNTAX)!;
  if (header.tag === SEQUENCE_DELIMITER) return undefined;
  if (header.tag !== ITEM || header.length === 0xffffffff) {
    throw new TranscodeError(`expected a pixel data fragment (FFFE,E000) of defined length at byte ${at}, found ${formatTag(header.tag)}`);
  }
  return source.read(header.length);
}
