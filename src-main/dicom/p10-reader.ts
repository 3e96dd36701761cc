/**
 * Reads the Part-10 header of a file: preamble, `DICM`, the file meta group (0002,xxxx), and the
 * offset where the dataset begins. It never looks past the meta group, so it is cheap on any file
 * size and never touches the dataset bytes the gateway promises to keep.
 */
import {
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  InvalidVrError,
  readElementHeader,
  UNDEFINED_LENGTH,
  type ElementHeader,
} from './element-reader.ts';
import { closeSync, readSync } from 'node:fs';
import { openRegularFile, openRegularFileSync } from './input-path.ts';
import { P10FormatError } from './p10-errors.ts';
import { formatTag } from './tag-format.ts';
import { trimUid } from './uid.ts';

export interface MetaElement {
  tag: number;
  vr: string;
  /** Offset of the element's first byte (its tag) in the file. */
  offset: number;
  /** Offset of the value in the file. */
  valueOffset: number;
  valueLength: number;
  value: Buffer;
}

export interface P10Header {
  /** 128-byte preamble followed by `DICM`. */
  hasPreamble: boolean;
  /** `DICM` present (with or without preamble). */
  hasPrefix: boolean;
  preamble: Buffer | undefined;
  metaOffset: number;
  datasetOffset: number;
  elements: MetaElement[];
  /** The (0002,0000) value when present; the meta group is walked by tag either way. */
  groupLength: number | undefined;
  transferSyntaxUid: string;
  mediaStorageSopClassUid: string | undefined;
  mediaStorageSopInstanceUid: string | undefined;
  implementationClassUid: string | undefined;
  implementationVersionName: string | undefined;
}

const PREAMBLE_LENGTH = 128;
const PREFIX = Buffer.from('DICM', 'latin1');
// A meta group is a few hundred bytes; a larger one is read again, four times as much each time.
const HEADER_READ_BYTES = 8 * 1024;

export const MetaTag = {
  GroupLength: 0x00020000,
  FileMetaInformationVersion: 0x00020001,
  MediaStorageSopClassUid: 0x00020002,
  MediaStorageSopInstanceUid: 0x00020003,
  TransferSyntaxUid: 0x00020010,
  ImplementationClassUid: 0x00020012,
  ImplementationVersionName: 0x00020013,
} as const;

type HeaderRead = P10Header & { fileSize: number };

/** Reads and parses the header of the file at `path`; grows the read only for unusually large meta groups. */
export async function readP10Header(path: string): Promise<HeaderRead> {
  const { handle, size } = await openRegularFile(path, (reason) => new P10FormatError(path, reason));
  try {
    for (let length = firstReadLength(path, size); ;) {
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, 0);
      const read = headerOrLongerRead(buffer, path, size);
      if (typeof read !== 'number') return read;
      length = read;
    }
  } finally {
    await handle.close();
  }
}

/**
 * readP10Header with synchronous calls, for a thread whose work is to read headers (collecting
 * the files to send): on the main thread each header took three trips through libuv's pool.
 */
export function readP10HeaderSync(path: string): HeaderRead {
  const { fd, size } = openRegularFileSync(path, (reason) => new P10FormatError(path, reason));
  try {
    for (let length = firstReadLength(path, size); ;) {
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, 0);
      const read = headerOrLongerRead(buffer, path, size);
      if (typeof read !== 'number') return read;
      length = read;
    }
  } finally {
    closeSync(fd);
  }
}

function firstReadLength(path: string, size: number): number {
  if (size === 0) throw new P10FormatError(path, 'is empty (0 bytes)');
  return Math.min(size, HEADER_READ_BYTES);
}

/** The header in the first bytes of a `size`-byte file, or how many bytes to read instead when the meta group goes on past them. */
function headerOrLongerRead(buffer: Buffer, path: string, size: number): HeaderRead | number {
  try {
    return { ...parseP10Header(buffer, path, buffer.length === size), fileSize: size };
  } catch (err) {
    if (!(err instanceof TruncatedHeader) || buffer.length === size) throw unwrapTruncated(err, path);
    return Math.min(size, buffer.length * 4);
  }
}

/**
 * Where File Meta Information Group Length (0002,0000) says the meta group ends past the end of
 * the file, why (in words); else undefined. Readers that trust the group length (DCMTK among
 * them) would look for the dataset where there is none, so such a file is not sent.
 */
export function metaGroupLengthProblem(header: P10Header, fileSize: number): string | undefined {
  const element = header.elements.find((e) => e.tag === MetaTag.GroupLength);
  if (!element || header.groupLength === undefined) return undefined;
  const end = element.valueOffset + element.valueLength + header.groupLength;
  if (end <= fileSize) return undefined;
  return `file meta group length (0002,0000) of ${header.groupLength} bytes ends at byte ${end}, past the end of the ${fileSize}-byte file`;
}

class TruncatedHeader extends Error {}

function unwrapTruncated(err: unknown, source: string): unknown {
  return err instanceof TruncatedHeader ? new P10FormatError(source, 'file ends inside the file meta group') : err;
}

/**
 * Parses a header from the first bytes of a file. `complete` says whether `buffer` is the whole
 * file; when it is not, running off its end is reported as a truncated read so the caller can
 * read more.
 */
export function parseP10Header(buffer: Buffer, source = 'input', complete = true): P10Header {
  const { metaOffset, hasPreamble, hasPrefix } = locateMeta(buffer, source);
  const elements: MetaElement[] = [];
  let offset = metaOffset;
  for (;;) {
    if (offset + 2 > buffer.length) {
      if (complete) break;
      throw new TruncatedHeader();
    }
    if (buffer.readUInt16LE(offset) !== 0x0002) break;
    const element = readMetaElement(buffer, offset, source);
    if (!element) {
      if (complete) throw new P10FormatError(source, `file ends inside the file meta group at byte ${offset}`);
      throw new TruncatedHeader();
    }
    elements.push(element);
    offset = element.valueOffset + element.valueLength;
  }
  if (elements.length === 0) throw new P10FormatError(source, 'has no file meta group (0002,xxxx)');
  const text = (tag: number) => {
    const element = elements.find((e) => e.tag === tag);
    return element ? trimUid(element.value.toString('latin1')) : undefined;
  };
  const transferSyntaxUid = text(MetaTag.TransferSyntaxUid);
  if (!transferSyntaxUid) throw new P10FormatError(source, 'file meta group has no Transfer Syntax UID (0002,0010)');
  const groupLengthElement = elements.find((e) => e.tag === MetaTag.GroupLength);
  return {
    hasPreamble,
    hasPrefix,
    preamble: hasPreamble ? buffer.subarray(0, PREAMBLE_LENGTH) : undefined,
    metaOffset,
    datasetOffset: offset,
    elements,
    groupLength: groupLengthElement && groupLengthElement.valueLength === 4 ? groupLengthElement.value.readUInt32LE(0) : undefined,
    transferSyntaxUid,
    mediaStorageSopClassUid: text(MetaTag.MediaStorageSopClassUid),
    mediaStorageSopInstanceUid: text(MetaTag.MediaStorageSopInstanceUid),
    implementationClassUid: text(MetaTag.ImplementationClassUid),
    implementationVersionName: text(MetaTag.ImplementationVersionName)?.trim(),
  };
}

function locateMeta(buffer: Buffer, source: string) {
  if (buffer.length >= PREAMBLE_LENGTH + 4 && buffer.subarray(PREAMBLE_LENGTH, PREAMBLE_LENGTH + 4).equals(PREFIX)) {
    return { metaOffset: PREAMBLE_LENGTH + 4, hasPreamble: true, hasPrefix: true };
  }
  // Tolerated: `DICM` without a preamble, and a bare meta group (some writers drop both).
  if (buffer.length >= 4 && buffer.subarray(0, 4).equals(PREFIX)) return { metaOffset: 4, hasPreamble: false, hasPrefix: true };
  if (buffer.length >= 8 && buffer.readUInt16LE(0) === 0x0002) return { metaOffset: 0, hasPreamble: false, hasPrefix: false };
  throw new P10FormatError(source, 'not a DICOM Part-10 file (no DICM prefix and no file meta group)');
}

/**
 * Reads one meta element with the engine's element reader: explicit VR little endian as PS3.10
 * requires, an element without a VR tolerated as implicit (its VR then counts as UN).
 * Undefined if the buffer ends first.
 */
function readMetaElement(buffer: Buffer, offset: number, source: string): MetaElement | undefined {
  let header: ElementHeader | undefined;
  try {
    header = readElementHeader(buffer, offset, EXPLICIT_LITTLE_ENDIAN);
  } catch (err) {
    if (!(err instanceof InvalidVrError)) throw err;
    header = readElementHeader(buffer, offset, IMPLICIT_LITTLE_ENDIAN, () => 'UN');
  }
  if (!header) return undefined;
  if (header.length === UNDEFINED_LENGTH) {
    throw new P10FormatError(source, `file meta element ${formatTag(header.tag)} has undefined length`);
  }
  const valueOffset = offset + header.headerLength;
  if (valueOffset + header.length > buffer.length) return undefined;
  return {
    tag: header.tag,
    vr: header.vr,
    offset,
    valueOffset,
    valueLength: header.length,
    value: buffer.subarray(valueOffset, valueOffset + header.length),
  };
}
