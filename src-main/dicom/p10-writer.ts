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

export function buildP10Header(fields: MetaGroupFields): Buffer {
  const body = Buffer.concat([
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    element(0x0002, 'UI', uidValue(fields.sopClassUid)),
    element(0x0003, 'UI', uidValue(fields.sopInstanceUid)),
    element(0x0010, 'UI', uidValue(fields.transferSyntaxUid)),
    element(0x0012, 'UI', uidValue(IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', textValue(IMPLEMENTATION_VERSION_NAME)),
  ]);
  const groupLengthValue = Buffer.alloc(4);
  groupLengthValue.writeUInt32LE(body.length);
  const prefix = Buffer.alloc(PREAMBLE_LENGTH + 4);
  prefix.write('DICM', PREAMBLE_LENGTH, 'latin1');
  return Buffer.concat([prefix, element(0x0000, 'UL', groupLengthValue), body]);
}

function element(elementNumber: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

function uidValue(uid: string): Buffer {
  return padEven(Buffer.from(uid, 'latin1'), 0x00);
}

function textValue(text: string): Buffer {
  return padEven(Buffer.from(text, 'latin1'), 0x20);
}

function padEven(value: Buffer, pad: number): Buffer {
  return value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from([pad])]);
}
