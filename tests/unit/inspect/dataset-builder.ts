/**
 * Hand-built datasets for inspector tests that need structures the shared fixtures do not make
 * (nested sequences, defined-length items, CP-246 UN, multi-item sequences). Written independently
 * of src-main so the walker cannot agree with itself.
 */
import { buildMetaHeader } from '../../helpers/dicom-fixtures.ts';

export interface Syntax {
  explicitVr: boolean;
  littleEndian: boolean;
}

export interface El {
  tag: number;
  vr: string;
  /** Text (padded to even with space, NUL for UI) or raw bytes (written as is). */
  value?: string | Buffer;
  /** A sequence's items, each a list of elements. */
  items?: El[][];
  /** Sequence (or UN) with undefined length; default true for sequences. */
  undefinedLength?: boolean;
  /** Items with undefined length; default true. */
  undefinedItems?: boolean;
  /** Contents of items encoded in this syntax instead (CP-246: UN holds implicit VR LE). */
  itemSyntax?: Syntax;
}

export const EXPLICIT_LE: Syntax = { explicitVr: true, littleEndian: true };
export const IMPLICIT_LE: Syntax = { explicitVr: false, littleEndian: true };
export const EXPLICIT_BE: Syntax = { explicitVr: true, littleEndian: false };

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

export function encodeDataset(elements: El[], syntax: Syntax): Buffer {
  return Buffer.concat(elements.map((e) => encodeElement(e, syntax)));
}

function u16(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}

function u32(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v);
  else b.writeUInt32BE(v);
  return b;
}

function tagBytes(tag: number, le: boolean): Buffer {
  return Buffer.concat([u16(tag >>> 16, le), u16(tag & 0xffff, le)]);
}

function header(tag: number, vr: string, length: number, s: Syntax): Buffer {
  if (!s.explicitVr) return Buffer.concat([tagBytes(tag, s.littleEndian), u32(length, s.littleEndian)]);
  if (LONG.has(vr))
    return Buffer.concat([tagBytes(tag, s.littleEndian), Buffer.from(vr, 'latin1'), Buffer.alloc(2), u32(length, s.littleEndian)]);
  return Buffer.concat([tagBytes(tag, s.littleEndian), Buffer.from(vr, 'latin1'), u16(length, s.littleEndian)]);
}

function itemHeader(tag: number, length: number, le: boolean): Buffer {
  return Buffer.concat([tagBytes(tag, le), u32(length, le)]);
}

function valueBytes(e: El): Buffer {
  if (Buffer.isBuffer(e.value)) return e.value;
  const text = Buffer.from(e.value ?? '', 'latin1');
  return text.length % 2 === 0 ? text : Buffer.concat([text, Buffer.from([e.vr === 'UI' ? 0 : 0x20])]);
}

function encodeElement(e: El, s: Syntax): Buffer {
  if (!e.items) {
    const value = valueBytes(e);
    return Buffer.concat([header(e.tag, e.vr, value.length, s), value]);
  }
  const inner = e.itemSyntax ?? s;
  const items = e.items.map((item) => {
    const content = encodeDataset(item, inner);
    if (e.undefinedItems === false) return Buffer.concat([itemHeader(0xfffee000, content.length, inner.littleEndian), content]);
    return Buffer.concat([itemHeader(0xfffee000, UNDEFINED, inner.littleEndian), content, itemHeader(0xfffee00d, 0, inner.littleEndian)]);
  });
  const body = Buffer.concat(items);
  if (e.undefinedLength === false) return Buffer.concat([header(e.tag, e.vr, body.length, s), body]);
  return Buffer.concat([header(e.tag, e.vr, UNDEFINED, s), body, itemHeader(0xfffee0dd, 0, inner.littleEndian)]);
}

/** Preamble, DICM and the fixtures' meta group for `transferSyntaxUid`, then `dataset`. */
export function p10File(dataset: Buffer, transferSyntaxUid: string): Buffer {
  return Buffer.concat([buildMetaHeader({ transferSyntaxUid }), dataset]);
}

/** A request-attributes style nest: (0040,0275)[0]/(0040,0007), and a code sequence inside it. */
export function nestedElements(opts: { description?: string; undefinedLength?: boolean; undefinedItems?: boolean } = {}): El[] {
  const lengths = { undefinedLength: opts.undefinedLength ?? true, undefinedItems: opts.undefinedItems ?? true };
  return [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: 0x00100010, vr: 'PN', value: 'NEST^ED' },
    {
      tag: 0x00400275,
      vr: 'SQ',
      ...lengths,
      items: [
        [
          { tag: 0x00400007, vr: 'LO', value: opts.description ?? 'FIRST STEP' },
          {
            tag: 0x00400008,
            vr: 'SQ',
            ...lengths,
            items: [
              [
                { tag: 0x00080100, vr: 'SH', value: 'CODE1' },
                { tag: 0x00080102, vr: 'SH', value: 'DCM' },
              ],
            ],
          },
        ],
        [{ tag: 0x00400007, vr: 'LO', value: 'SECOND STEP' }],
      ],
    },
    { tag: 0x00280010, vr: 'US', value: Buffer.from([2, 0]) },
  ];
}
