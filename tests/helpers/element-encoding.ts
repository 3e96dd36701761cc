/**
 * Single data elements encoded by hand, for tests that need a layout the fixture writer does not
 * make (an element split across reads, a wrong header form, a command set): readers are then
 * tested against bytes they did not write. Values are written as given; evenLength() pads them.
 */

/** VRs whose explicit header is VR, 2 reserved bytes, 4-byte length (PS3.5 §7.1.2). */
export const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** An explicit VR little endian element; `longForm` chooses the 12-byte header (the VR's own form unless told). */
export function explicitLeElement(tag: number, vr: string, value: Buffer, longForm = LONG_VRS.has(vr)): Buffer {
  return explicitElement(tag, vr, value, true, longForm);
}

/** An explicit VR big endian element (the retired syntax 1.2.840.10008.1.2.2); the value is written as given. */
export function explicitBeElement(tag: number, vr: string, value: Buffer): Buffer {
  return explicitElement(tag, vr, value, false, LONG_VRS.has(vr));
}

function explicitElement(tag: number, vr: string, value: Buffer, littleEndian: boolean, longForm: boolean): Buffer {
  const header = Buffer.alloc(longForm ? 12 : 8);
  const u16 = (n: number, at: number) => (littleEndian ? header.writeUInt16LE(n, at) : header.writeUInt16BE(n, at));
  u16(tag >>> 16, 0);
  u16(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  if (!longForm) u16(value.length, 6);
  else if (littleEndian) header.writeUInt32LE(value.length, 8);
  else header.writeUInt32BE(value.length, 8);
  return Buffer.concat([header, value]);
}

/** An implicit VR little endian element (the encoding of every command set). */
export function implicitLeElement(tag: number, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.writeUInt32LE(value.length, 4);
  return Buffer.concat([header, value]);
}

/** `value` padded to even length as PS3.5 §7.1 requires: a UID with a NUL, anything else with a space. */
export function evenLength(value: Buffer, vr: string): Buffer {
  return value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.from([vr === 'UI' ? 0x00 : 0x20])]);
}

/** Text (Latin-1) padded with a space to even length. */
export const textValue = (text: string): Buffer => evenLength(Buffer.from(text, 'latin1'), 'LO');

/** A UID padded with a NUL to even length. */
export const uidValue = (uid: string): Buffer => evenLength(Buffer.from(uid, 'latin1'), 'UI');

/** An unsigned short, little endian. */
export function usValue(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
