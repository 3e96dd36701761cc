/**
 * PALETTE COLOR images (ultrasound, nuclear medicine, some secondary captures): each stored value
 * indexes three lookup tables, red, green and blue (PS3.3 C.7.6.3.1.5-6). A table's descriptor
 * says how many entries it has (0 meaning 65536), the first stored value it maps (values below
 * take the first entry, values above the last) and the bits of an entry: 16, or 8, which writers
 * store either packed two to a 16-bit word or one to a word (the palettes of PS3.6 Annex B come
 * packed). Segmented tables (0028,1221-1223, PS3.3 C.7.9.2) are expanded to the same: discrete,
 * linear and indirect segments of 16-bit words.
 */
import { open } from 'node:fs/promises';

export interface PaletteLut {
  firstMapped: number;
  /** 8-bit display values, one table per colour, each of the descriptor's length. */
  red: Uint8Array;
  green: Uint8Array;
  blue: Uint8Array;
}

export const PALETTE_DESCRIPTORS: readonly number[] = [0x00281101, 0x00281102, 0x00281103];
export const PALETTE_DATA: readonly number[] = [0x00281201, 0x00281202, 0x00281203];
export const SEGMENTED_PALETTE_DATA: readonly number[] = [0x00281221, 0x00281222, 0x00281223];

/** Where a table's data lies in the file. */
export interface ValueRange {
  offset: number;
  length: number;
}

const COLOURS = ['red', 'green', 'blue'] as const;
/** 65536 entries of 16 bits: no table holds more, so a file saying more is not read into memory. */
const MAX_TABLE_BYTES = 2 * 65536;

/**
 * The three tables of the file at `path`, or why they cannot be used. `descriptors` are the
 * descriptors' raw values; `data` where each table's data lies in the file.
 */
export async function readPalette(
  path: string,
  descriptors: readonly (Buffer | undefined)[],
  data: readonly (ValueRange | undefined)[],
  pixels: { littleEndian: boolean; signed: boolean },
  segmented = false,
): Promise<{ ok: true; palette: PaletteLut } | { ok: false; reason: string }> {
  const tables: Uint8Array[] = [];
  let firstMapped = 0;
  const handle = await open(path, 'r');
  try {
    for (let i = 0; i < 3; i++) {
      const descriptor = descriptors[i];
      const range = data[i];
      if (!descriptor || descriptor.length < 6 || !range)
        return { ok: false, reason: `the ${COLOURS[i]} palette colour lookup table or its descriptor is missing` };
      const read = wordsOf(descriptor, pixels.littleEndian);
      const entries = read(0) || 65536;
      const first = read(1);
      firstMapped = pixels.signed && first >= 0x8000 ? first - 0x10000 : first;
      const bits = read(2);
      if (range.length > MAX_TABLE_BYTES)
        return { ok: false, reason: `the ${COLOURS[i]} palette colour lookup table holds ${range.length} bytes, more than a table can` };
      const bytes = Buffer.alloc(range.length);
      const { bytesRead } = await handle.read(bytes, 0, range.length, range.offset);
      if (bytesRead < range.length) return { ok: false, reason: `the file ends inside the ${COLOURS[i]} palette colour lookup table` };
      const table = segmented
        ? segmentedDisplayValues(bytes, entries, bits, pixels.littleEndian)
        : displayValues(bytes, entries, bits, pixels.littleEndian);
      if (typeof table === 'string') return { ok: false, reason: `the segmented ${COLOURS[i]} palette colour lookup table ${table}` };
      if (!table)
        return {
          ok: false,
          reason: `the ${COLOURS[i]} palette colour lookup table holds ${range.length} bytes, not ${entries} entries of ${bits} bits`,
        };
      tables.push(table);
    }
  } finally {
    await handle.close();
  }
  // PS3.3 C.7.6.3.1.5: the three descriptors are the same.
  if (descriptors.some((d) => !d!.subarray(0, 6).equals(descriptors[0]!.subarray(0, 6))))
    return { ok: false, reason: 'the red, green and blue palette colour lookup tables are described differently' };
  return { ok: true, palette: { firstMapped, red: tables[0]!, green: tables[1]!, blue: tables[2]! } };
}

/** A table's entries as 8-bit display values, or undefined when its data does not fit its descriptor. */
function displayValues(data: Buffer, entries: number, bits: number, littleEndian: boolean): Uint8Array | undefined {
  const out = new Uint8Array(entries);
  // 8-bit entries packed two to a word: in a big endian file each word's bytes are swapped.
  if (bits === 8 && (data.length === entries || data.length === entries + 1)) {
    for (let i = 0; i < entries; i++) out[i] = data[littleEndian ? i : i ^ 1]!;
    return out;
  }
  if (data.length < entries * 2 || (bits !== 8 && bits !== 16)) return undefined;
  const word = wordsOf(data, littleEndian);
  for (let i = 0; i < entries; i++) out[i] = displayValue(word(i), bits);
  return out;
}

/** A 16-bit entry shows by its high byte; an 8-bit entry stored one to a word is the word's value. */
const displayValue = (entry: number, bits: number) => (bits === 16 ? entry >> 8 : Math.min(entry, 255));

/** The `i`th 16-bit word of `data`, in the file's byte order. */
function wordsOf(data: Buffer, littleEndian: boolean): (i: number) => number {
  return littleEndian ? (i) => data.readUInt16LE(i * 2) : (i) => data.readUInt16BE(i * 2);
}

/** A segmented table's entries as 8-bit display values, or what is wrong with its segments. */
function segmentedDisplayValues(data: Buffer, entries: number, bits: number, littleEndian: boolean): Uint8Array | string {
  const expanded = expandSegments(data, entries, littleEndian);
  if (typeof expanded === 'string') return expanded;
  const out = new Uint8Array(entries);
  for (let i = 0; i < entries; i++) out[i] = displayValue(expanded[i]!, bits);
  return out;
}

const [DISCRETE, LINEAR, INDIRECT] = [0, 1, 2];

/**
 * PS3.3 C.7.9.2: a discrete segment lists its entries; a linear one runs from the entry before it
 * to its value in as many steps as it has entries; an indirect one repeats segments found at a
 * byte offset of the table (not themselves indirect: a table cannot loop). The segments must make
 * exactly the descriptor's number of entries.
 */
function expandSegments(data: Buffer, entries: number, littleEndian: boolean): Uint16Array | string {
  const words = data.length >> 1;
  const word = wordsOf(data, littleEndian);
  const out = new Uint16Array(entries);
  let n = 0;
  const expand = (start: number, segments: number, indirect: boolean): string | undefined => {
    let at = start;
    for (let s = 0; s < segments && at + 1 < words; s++) {
      const [opcode, length] = [word(at), word(at + 1)];
      const size = opcode === DISCRETE ? 2 + length : opcode === LINEAR ? 3 : 4;
      if (opcode > INDIRECT || (indirect && opcode === INDIRECT)) return `has a segment of type ${opcode} at byte ${at * 2}`;
      if (at + size > words) return `ends inside the segment at byte ${at * 2}`;
      if (opcode !== INDIRECT && n + length > entries) return `makes more than the descriptor's ${entries} entries`;
      if (opcode !== DISCRETE && n === 0) return 'starts with a segment that needs an entry before it';
      if (opcode === DISCRETE) for (let k = 0; k < length; k++) out[n++] = word(at + 2 + k);
      else if (opcode === LINEAR) {
        const [y0, y1] = [out[n - 1]!, word(at + 2)];
        for (let k = 1; k <= length; k++) out[n++] = Math.round(y0 + ((y1 - y0) * k) / length);
      } else {
        const offset = word(at + 2) + word(at + 3) * 0x10000;
        if (offset % 2 !== 0 || offset >= at * 2) return `has an indirect segment at byte ${at * 2} pointing to byte ${offset}`;
        const problem = expand(offset / 2, length, true);
        if (problem) return problem;
      }
      at += size;
    }
    return undefined;
  };
  const problem = expand(0, Number.POSITIVE_INFINITY, false);
  if (problem) return problem;
  return n === entries ? out : `makes ${n} entries, not the descriptor's ${entries}`;
}

/** The table entry a stored value selects, clamped to the table. */
export function paletteIndex(palette: PaletteLut, value: number): number {
  return Math.max(0, Math.min(palette.red.length - 1, value - palette.firstMapped));
}
