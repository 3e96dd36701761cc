/**
 * Builds the preamble, `DICM` and the deterministic, minimal file meta group (docs/architecture.md, "Store").
 * Only what identifies the dataset goes in; association facts (AEs, peer, time) go to the index,
 * so the same dataset received twice by any gateway yields identical whole files.
 */
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.ts';

export interface MetaGroupFields {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
}

const PREAMBLE_LENGTH = 128;

/** The meta elements after (0002,0001), in tag order: element number, VR, value as text (unpadded), its pad byte. */
function metaElements(fields: MetaGroupFields): Array<[number, string, string, number]> {
  return [
    [0x0002, 'UI', fields.sopClassUid, 0x00],
    [0x0003, 'UI', fields.sopInstanceUid, 0x00],
    [0x0010, 'UI', fields.transferSyntaxUid, 0x00],
    [0x0012, 'UI', IMPLEMENTATION_CLASS_UID, 0x00],
    [0x0013, 'SH', IMPLEMENTATION_VERSION_NAME, 0x20],
  ];
}

const VERSION_ELEMENT_LENGTH = 12 + 2; // (0002,0001) OB: long header, value 00 01
const GROUP_LENGTH_ELEMENT_LENGTH = 8 + 4;

/**
 * Written into one buffer, sized first: it is built for every instance received, and the
 * element-by-element concatenation it replaced cost 27 us of the main thread per instance.
 */
export function buildP10Header(fields: MetaGroupFields): Buffer {
  const elements = metaElements(fields);
  let groupLength = VERSION_ELEMENT_LENGTH;
  for (const [, , text] of elements) groupLength += 8 + evenLength(text.length);
  const out = Buffer.alloc(PREAMBLE_LENGTH + 4 + GROUP_LENGTH_ELEMENT_LENGTH + groupLength);
  out.write('DICM', PREAMBLE_LENGTH, 'latin1');
  let at = writeHeader(out, PREAMBLE_LENGTH + 4, 0x0000, 'UL', 4);
  at = out.writeUInt32LE(groupLength, at);
  at = writeHeader(out, at, 0x0001, 'OB', 2);
  out[at + 1] = 0x01;
  at += 2;
  for (const [elementNumber, vr, text, pad] of elements) {
    const length = evenLength(text.length);
    at = writeHeader(out, at, elementNumber, vr, length);
    at += out.write(text, at, 'latin1');
    if (length > text.length) out[at++] = pad;
  }
  return out;
}

/** Writes an explicit VR little endian header of group 0002 at `at`; returns where its value starts. */
function writeHeader(out: Buffer, at: number, elementNumber: number, vr: string, length: number): number {
  out.writeUInt16LE(0x0002, at);
  out.writeUInt16LE(elementNumber, at + 2);
  out.write(vr, at + 4, 'latin1');
  if (vr !== 'OB') return out.writeUInt16LE(length, at + 6);
  out.writeUInt16LE(0, at + 6);
  return out.writeUInt32LE(length, at + 8);
}

function evenLength(length: number): number {
  return length + (length % 2);
}
