/**
 * The arithmetic of the side-by-side hex view: pages of 32 rows of 16 bytes, the bytes of a
 * ByteRangeView, which element each byte belongs to, and which bytes differ between the sides.
 */
import type { ByteSpan } from '../../../../src-main/api/contract.ts';

export const BYTES_PER_ROW = 16;
export const ROWS_PER_PAGE = 32;
export const PAGE_BYTES = BYTES_PER_ROW * ROWS_PER_PAGE;

/** The start of the row holding `offset`. */
export function rowStart(offset: number): number {
  return Math.max(0, Math.floor(offset / BYTES_PER_ROW) * BYTES_PER_ROW);
}

export function bytesOfHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The span holding `offset` (spans are sorted and do not overlap, so a binary search will do). */
export function spanAtOffset(spans: ByteSpan[], offset: number): ByteSpan | undefined {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const span = spans[mid]!;
    if (offset < span.start) high = mid - 1;
    else if (offset >= span.end) low = mid + 1;
    else return span;
  }
  return undefined;
}

const PART_WORDS: Record<ByteSpan['part'], string> = {
  preamble: 'preamble',
  prefix: '"DICM" prefix',
  tag: 'tag',
  vr: 'VR',
  reserved: 'reserved bytes',
  length: 'value length',
  value: 'value',
  deflated: 'deflated data',
  unparsed: 'not parsed',
};

/** What a byte is, for its tooltip: "(0010,0010) PatientName · PN · value". */
export function describeSpan(span: ByteSpan | undefined): string {
  if (!span) return 'no element';
  const what = [span.path, span.keyword].filter(Boolean).join(' ');
  return [what || span.region, span.vr, PART_WORDS[span.part]].filter(Boolean).join(' · ');
}

export function hexOffset(offset: number): string {
  return offset.toString(16).padStart(8, '0');
}

export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** A byte as printable ASCII, or a dot. */
export function asciiOf(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/**
 * Whether the byte at `index` of this page differs from the byte at the same index of the other
 * side's page. Only meaningful where nothing was inserted or removed before: it is the fallback
 * when the comparison found no elements (e.g. one file is not DICOM).
 */
export function differsAt(mine: Uint8Array, other: Uint8Array | undefined, index: number): boolean {
  if (!other) return false;
  if (index >= mine.length) return false;
  return index >= other.length || mine[index] !== other[index];
}

/** Where one difference is in each file (end exclusive); a side is missing when only the other file has it. */
export interface RangePair {
  a?: [number, number] | undefined;
  b?: [number, number] | undefined;
}

/**
 * Whether the byte at `offset` of one side differs, judged element by element: it differs only
 * inside an element the comparison reported, and there only if the byte at the same distance into
 * the other side's element differs (or lies beyond it, or that element does not exist). Bytes
 * shifted by an insertion earlier in the file are therefore not flagged. `otherByte` gives a byte
 * of the other side when it is on its loaded page; a counterpart not loaded counts as differing.
 */
export function differsByElement(
  offset: number,
  byte: number,
  mine: 'a' | 'b',
  pairs: RangePair[],
  otherByte: (offset: number) => number | undefined,
): boolean {
  const theirs = mine === 'a' ? 'b' : 'a';
  for (const pair of pairs) {
    const range = pair[mine];
    if (!range || offset < range[0] || offset >= range[1]) continue;
    const other = pair[theirs];
    if (!other) return true;
    const counterpart = other[0] + (offset - range[0]);
    if (counterpart >= other[1]) return true;
    const value = otherByte(counterpart);
    return value === undefined || value !== byte;
  }
  return false;
}

/** What the hex view needs of a difference to place it: where it is in each file (either may be unknown). */
export interface Placed {
  offsetA: number | undefined;
  offsetB: number | undefined;
  rangeA?: [number, number] | undefined;
  rangeB?: [number, number] | undefined;
}

/**
 * Where both panes start so that a difference sits in the same row and column of each: A's row
 * holds its offset in A, B starts as far before its offset in B. When one file has no offset for
 * it (an element only the other file has, and no "where it would be"), the other's offset moved
 * by the shift the earlier differences left (a longer value before it moves everything after it)
 * stands in, never the same absolute offset.
 */
export function alignedStarts(difference: Placed, earlier: readonly Placed[]): { a: number; b: number } | undefined {
  const { offsetA, offsetB } = difference;
  if (offsetA === undefined && offsetB === undefined) return undefined;
  const shift = shiftBefore(earlier, offsetA, offsetB);
  const a = offsetA ?? offsetB! - shift;
  const b = offsetB ?? offsetA! + shift;
  const startA = rowStart(a);
  return { a: startA, b: Math.max(0, b - (a - startA)) };
}

/** How much later B's bytes are than A's after the last difference that ends before this place (B minus A). */
function shiftBefore(earlier: readonly Placed[], offsetA: number | undefined, offsetB: number | undefined): number {
  let shift = 0;
  let reach = -1;
  for (const d of earlier) {
    if (!d.rangeA || !d.rangeB) continue;
    const before = offsetA !== undefined ? d.rangeA[1] <= offsetA : d.rangeB[1] <= offsetB!;
    if (before && d.rangeA[1] > reach) {
      reach = d.rangeA[1];
      shift = d.rangeB[1] - d.rangeA[1];
    }
  }
  return shift;
}
