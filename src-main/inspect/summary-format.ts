/**
 * The short human summary of a comparison: the verdict, the differences grouped by kind (counts
 * and the first few of each with their tag paths and offsets), then the first difference with a
 * 32-byte hex window of each side, each byte's element named below it.
 */
import type { ByteSpan } from '../api/types/byte-span.ts';
import type { ByteRange } from './byte-range-reader.ts';
import { CHANGE_KIND_TITLES, CHANGE_KINDS, type Change } from '../api/types/change-kinds.ts';
import type { ByteLocation, CompareReport, FirstDifference } from '../api/types/compare-report.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';

export const SHOWN_PER_KIND = 5;
export const HEX_WINDOW_BYTES = 32;
const BYTES_PER_LINE = 16;

/** Where the hex window of one side starts: a little before the differing byte so its context shows. */
export function hexWindowStart(offset: number): number {
  return Math.max(0, offset - 8);
}

export interface HexWindows {
  a?: ByteRange;
  b?: ByteRange;
}

/** The difference the summary shows bytes for: in the dataset when the datasets differ, else the first one. */
export function shownDifference(report: CompareReport): FirstDifference | undefined {
  return report.firstDatasetDifference ?? report.firstDifference;
}

export function formatSummary(report: CompareReport, windows: HexWindows = {}): string {
  const lines: string[] = [];
  lines.push(`A: ${report.files.a.path} (${report.files.a.size} bytes, ${digestText(report.files.a.sha256)})`);
  lines.push(`B: ${report.files.b.path} (${report.files.b.size} bytes, ${digestText(report.files.b.sha256)})`);
  lines.push(`Verdict: ${report.verdict}. ${report.summary}`);
  if (report.verdict === 'identical-files') return lines.join('\n') + '\n';
  lines.push(...transferSyntaxLines(report));
  lines.push(...headerLines(report));
  lines.push(...changeLines(report));
  lines.push(...firstDifferenceLines(report, windows));
  return lines.join('\n') + '\n';
}

function transferSyntaxLines(report: CompareReport): string[] {
  const { a, b, changed } = report.transferSyntax;
  if (!a || !b) return [];
  return [
    changed
      ? `Transfer syntax: A ${describeTransferSyntax(a)}, B ${describeTransferSyntax(b)}`
      : `Transfer syntax: ${describeTransferSyntax(a)} (both)`,
  ];
}

function headerLines(report: CompareReport): string[] {
  const regions = report.regions;
  if (!regions) return [];
  const lines: string[] = [];
  const preamble = (side: { present: boolean; allZero: boolean }) =>
    !side.present ? 'absent' : side.allZero ? '128 zero bytes' : '128 bytes, not all zero';
  if (!regions.preamble.equal) lines.push(`Preamble differs: A ${preamble(regions.preamble.a)}, B ${preamble(regions.preamble.b)}`);
  if (regions.prefix.a !== regions.prefix.b)
    lines.push(`DICM prefix: ${regions.prefix.a ? 'present' : 'absent'} in A, ${regions.prefix.b ? 'present' : 'absent'} in B`);
  const differences = regions.meta.differences;
  if (differences.length === 0) {
    lines.push('Meta group (0002,xxxx): identical');
  } else {
    lines.push(`Meta group (0002,xxxx): ${differences.length} element${differences.length === 1 ? ' differs' : 's differ'}`);
    for (const d of differences) lines.push(`  ${d.kind} ${d.path}${d.keyword ? ` ${d.keyword}` : ''}: ${d.description}`);
  }
  return lines;
}

function changeLines(report: CompareReport): string[] {
  if (report.changeCount === 0) return report.verdict === 'identical-datasets' ? ['Dataset: identical bytes'] : [];
  const lines = [`Dataset differences by kind (${report.changeCount}):`];
  if (report.regions?.dataset.a.offsetSpace === 'inflated' || report.regions?.dataset.b.offsetSpace === 'inflated') {
    lines.push('  (offsets in a deflated dataset count inflated bytes from the start of the dataset)');
  }
  for (const kind of CHANGE_KINDS) {
    const changes = report.changes[kind];
    if (changes.length === 0) continue;
    lines.push(`  ${kind} (${changes.length}): ${CHANGE_KIND_TITLES[kind]}`);
    for (const change of changes.slice(0, SHOWN_PER_KIND)) lines.push(`    ${describeChange(change)}`);
    if (changes.length > SHOWN_PER_KIND) lines.push(`    … and ${changes.length - SHOWN_PER_KIND} more (--json lists all)`);
  }
  return lines;
}

function describeChange(change: Change): string {
  const sideText = (label: 'A' | 'B', side: Change['a'], missingAt: number | undefined) =>
    side ? `${label} @${side.offset}` : missingAt !== undefined ? `${label} absent (would be at ${missingAt})` : '';
  const where = [sideText('A', change.a, change.missingAt?.a), sideText('B', change.b, change.missingAt?.b)].filter(Boolean).join(', ');
  return `${change.path}${change.keyword ? ` ${change.keyword}` : ''}: ${change.description}${where ? ` [${where}]` : ''}`;
}

function firstDifferenceLines(report: CompareReport, windows: HexWindows): string[] {
  const difference = shownDifference(report);
  if (!difference) return [];
  const title = report.firstDatasetDifference ? 'First dataset difference' : 'First difference';
  const lines = [`${title}: A byte ${locationText(difference.a)}; B byte ${locationText(difference.b)}`];
  if (windows.a) lines.push(...hexWindowLines('A', windows.a, difference.a.offset));
  if (windows.b) lines.push(...hexWindowLines('B', windows.b, difference.b.offset));
  return lines;
}

function locationText(location: ByteLocation): string {
  if (location.atEnd) return `${location.offset} (end of file)`;
  const element = location.path ? `${location.path}${location.keyword ? ` ${location.keyword}` : ''}` : (location.region ?? '');
  return `${location.offset} (${[location.region, element === location.region ? '' : element, location.part].filter(Boolean).join(', ')})`;
}

function hexWindowLines(label: string, range: ByteRange, marked: number): string[] {
  const lines: string[] = [];
  if (range.bytes.length === 0) return [`  ${label}: no bytes at ${range.offset} (file is ${range.fileSize} bytes)`];
  for (let start = 0; start < range.bytes.length; start += BYTES_PER_LINE) {
    const row = range.bytes.subarray(start, start + BYTES_PER_LINE);
    const offset = range.offset + start;
    const hex = [...row].map((byte, i) => (offset + i === marked ? `[${hexByte(byte)}]` : ` ${hexByte(byte)} `)).join('');
    const ascii = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`  ${label} ${offset.toString(16).padStart(8, '0')} ${hex.padEnd(BYTES_PER_LINE * 4)} |${ascii}|`);
  }
  for (const group of spanGroups(range.spans)) lines.push(`      ${group}`);
  return lines;
}

function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** "340-351 (0008,1140) ReferencedImageSequence: tag vr reserved length": consecutive spans of one element merged. */
function spanGroups(spans: ByteSpan[]): string[] {
  const groups: Array<{ start: number; end: number; label: string; parts: string[] }> = [];
  for (const span of spans) {
    const label = span.path ? `${span.path}${span.keyword ? ` ${span.keyword}` : ''}` : span.region;
    const last = groups[groups.length - 1];
    if (last && last.label === label && last.end === span.start) {
      last.end = span.end;
      last.parts.push(span.part);
    } else {
      groups.push({ start: span.start, end: span.end, label, parts: [span.part] });
    }
  }
  return groups.map((g) => `${g.start}-${g.end - 1} ${g.label}: ${g.parts.join(' ')}`);
}

function digestText(sha256: string | undefined): string {
  return sha256 === undefined ? 'not read to the end' : `sha256 ${sha256}`;
}
