/**
 * Compares two DICOM files (or raw datasets with a stated syntax) region by region: preamble,
 * `DICM`, meta group element by element, dataset element by element, and names what changed.
 *
 * Order of work, cheapest conclusion first: one streaming pass hashes both files and finds the
 * first differing byte (identical files stop there); the meta groups come from the P10 reader;
 * only when the dataset bytes differ (or their syntax does) are both datasets walked, one after
 * the other, each in bounded memory.
 */
import { type MetaElement } from '../dicom/p10-reader.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import { spanAt } from './byte-annotation.ts';
import { annotate } from './byte-range-reader.ts';
import {
  countedChangeKind,
  CHANGE_KINDS,
  emptyChangesByKind,
  type Change,
  type ChangesByKind,
  type ElementSide,
} from '../api/types/change-kinds.ts';
import type {
  ByteLocation,
  CompareReport,
  DatasetSide,
  FileFacts,
  FirstDifference,
  PreambleSide,
  Regions,
} from '../api/types/compare-report.ts';
import { asInput, openDatasetSource, openInput, type CompareInput, type OpenedInput } from './dataset-input.ts';
import { diffDatasetStreams, type StreamDiff } from './dataset-diff.ts';
import type { WalkProblem } from './element-tree.ts';
import { walkEvents } from './element-walker.ts';
import { compareRawBytes, type RawComparison } from './file-fingerprints.ts';
import { compareMetaGroups } from './meta-compare.ts';
import { displayValue } from './value-display.ts';

const TRANSFER_SYNTAX_TAG = 0x00020010;

export async function compareFiles(inputA: string | CompareInput, inputB: string | CompareInput): Promise<CompareReport> {
  const a = await openInput(asInput(inputA));
  const b = await openInput(asInput(inputB));
  // A side that is not DICOM makes the report "not comparable" whatever follows: stop reading at the first difference.
  const raw = await compareRawBytes(a.path, b.path, a.datasetOffset, b.datasetOffset, !a.encoding || !b.encoding);
  const base: Base = {
    files: { a: facts(a, raw.a), b: facts(b, raw.b) },
    transferSyntax: {
      ...(a.transferSyntaxUid ? { a: a.transferSyntaxUid } : {}),
      ...(b.transferSyntaxUid ? { b: b.transferSyntaxUid } : {}),
      changed: a.transferSyntaxUid !== b.transferSyntaxUid,
    },
    changes: emptyChangesByKind(),
    changeCount: 0,
  };
  if (raw.identical) {
    return {
      verdict: 'identical-files',
      summary: 'The files are identical: same size and SHA-256.',
      ...base,
      ...(a.encoding && b.encoding ? { regions: regionsOf(a, b, raw, false) } : {}),
    };
  }
  const firstDifference = await locateFirstDifference(a, b, raw);
  if (!a.encoding || !b.encoding) {
    const reasons = [a, b].filter((side) => side.problem).map((side) => side.problem);
    return {
      verdict: 'not-comparable',
      summary: `Not comparable: ${reasons.join('; ')}`,
      ...base,
      transferSyntax: { ...base.transferSyntax, changed: false },
      ...(firstDifference ? { firstDifference } : {}),
    };
  }
  const firstDatasetDifference = raw.datasetDifference
    ? await locatePair(a, b, raw.datasetDifference.a, raw.datasetDifference.b)
    : undefined;
  const located = { ...(firstDifference ? { firstDifference } : {}), ...(firstDatasetDifference ? { firstDatasetDifference } : {}) };
  if (raw.datasetBytesEqual && !base.transferSyntax.changed) {
    const regions = regionsOf(a, b, raw, false);
    return { verdict: 'identical-datasets', summary: identicalDatasetsSummary(regions), ...base, regions, ...located };
  }
  return { ...(await datasetsDifferReport(a, b, raw, base)), ...located };
}

type Base = Pick<CompareReport, 'files' | 'transferSyntax' | 'changes' | 'changeCount'>;

/** The element walk, only for datasets whose bytes (or declared syntax) differ. */
async function datasetsDifferReport(a: OpenedInput, b: OpenedInput, raw: RawComparison, base: Base): Promise<CompareReport> {
  const diff = await compareDatasets(a, b);
  const found: Change[] = [];
  if (base.transferSyntax.changed) found.push(transferSyntaxChange(a, b, diff, raw));
  found.push(...diff.changes);
  for (const side of ['a', 'b'] as const) {
    const problem = diff.problems[side];
    if (problem) found.push(unreadableChange(side, problem));
  }
  if (found.length === 0) found.push(unexplainedChange(raw));
  const changes = emptyChangesByKind();
  for (const change of found) changes[change.kind].push(change);
  return {
    verdict: 'datasets-differ',
    summary: differSummary(changes, found.length),
    ...base,
    changes,
    changeCount: found.length,
    regions: regionsOf(a, b, raw, true, diff),
  };
}

/** Both datasets walked side by side, each from its own reader, compared as they go. */
async function compareDatasets(a: OpenedInput, b: OpenedInput): Promise<StreamDiff> {
  const sourceA = await openDatasetSource(a);
  try {
    const sourceB = await openDatasetSource(b);
    try {
      const walkA = walkEvents(sourceA, { ...a.encoding!, hashValues: true });
      const walkB = walkEvents(sourceB, { ...b.encoding!, hashValues: true });
      return await diffDatasetStreams(walkA, walkB, { littleEndian: { a: a.encoding!.littleEndian, b: b.encoding!.littleEndian } });
    } finally {
      await sourceB.close();
    }
  } finally {
    await sourceA.close();
  }
}

function facts(input: OpenedInput, fingerprint: { size: number; sha256?: string }): FileFacts {
  return { path: input.path, size: fingerprint.size, ...(fingerprint.sha256 !== undefined ? { sha256: fingerprint.sha256 } : {}) };
}

function regionsOf(a: OpenedInput, b: OpenedInput, raw: RawComparison, walked: boolean, diff?: StreamDiff): Regions {
  const preambleA = preambleOf(a);
  const preambleB = preambleOf(b);
  const metaDifferences = compareMetaGroups(a.header?.elements ?? [], b.header?.elements ?? []);
  return {
    preamble: {
      a: preambleA.side,
      b: preambleB.side,
      equal: preambleA.bytes.equals(preambleB.bytes) && preambleA.side.present === preambleB.side.present,
    },
    prefix: { a: a.header?.hasPrefix ?? false, b: b.header?.hasPrefix ?? false },
    meta: { a: metaRegion(a), b: metaRegion(b), equal: metaDifferences.length === 0, differences: metaDifferences },
    dataset: {
      a: datasetSide(a, diff?.elementCount.a),
      b: datasetSide(b, diff?.elementCount.b),
      bytesEqual: raw.datasetBytesEqual,
      walked,
    },
  };
}

function preambleOf(input: OpenedInput): { side: PreambleSide; bytes: Buffer } {
  const bytes = input.header?.preamble ?? Buffer.alloc(0);
  return { side: { present: bytes.length > 0, allZero: bytes.length > 0 && bytes.every((byte) => byte === 0) }, bytes };
}

function metaRegion(input: OpenedInput): { offset: number; length: number; elementCount: number } {
  const header = input.header;
  if (!header) return { offset: 0, length: 0, elementCount: 0 };
  return { offset: header.metaOffset, length: header.datasetOffset - header.metaOffset, elementCount: header.elements.length };
}

function datasetSide(input: OpenedInput, elementCount: number | undefined): DatasetSide {
  const uid = input.transferSyntaxUid!;
  return {
    offset: input.datasetOffset,
    length: input.size - input.datasetOffset,
    transferSyntaxUid: uid,
    transferSyntax: describeTransferSyntax(uid),
    offsetSpace: input.encoding?.deflated ? 'inflated' : 'file',
    ...(elementCount !== undefined ? { elementCount } : {}),
  };
}

function transferSyntaxChange(a: OpenedInput, b: OpenedInput, diff: StreamDiff, raw: RawComparison): Change {
  const pixelNote = diff.pixelEncodingDiffers
    ? ' Pixel data is native in one file and encapsulated in the other, so it was not compared.'
    : '';
  const bytesNote = raw.datasetBytesEqual
    ? 'the dataset bytes are identical, but the two meta groups declare different syntaxes for them.'
    : 'the dataset bytes cannot match; element values were compared decoded.';
  const metaA = a.header?.elements.find((e) => e.tag === TRANSFER_SYNTAX_TAG);
  const metaB = b.header?.elements.find((e) => e.tag === TRANSFER_SYNTAX_TAG);
  return {
    kind: 'transfer-syntax-changed',
    path: '(0002,0010)',
    keyword: 'TransferSyntaxUID',
    ...(metaA ? { a: metaSide(metaA) } : {}),
    ...(metaB ? { b: metaSide(metaB) } : {}),
    description: `${describeTransferSyntax(a.transferSyntaxUid!)} → ${describeTransferSyntax(b.transferSyntaxUid!)}: ${bytesNote}${pixelNote}`,
  };
}

function metaSide(element: MetaElement): ElementSide {
  return {
    vr: element.vr,
    offset: element.offset,
    headerLength: element.valueOffset - element.offset,
    valueOffset: element.valueOffset,
    valueLength: element.valueLength,
    undefinedLength: false,
    endOffset: element.valueOffset + element.valueLength,
    value: displayValue(element.vr, element.value, true),
  };
}

function unreadableChange(side: 'a' | 'b', problem: WalkProblem): Change {
  const location: ElementSide = {
    offset: problem.offset,
    headerLength: 0,
    valueOffset: problem.offset,
    valueLength: 0,
    undefinedLength: false,
    endOffset: problem.offset,
  };
  return {
    kind: 'dataset-unreadable',
    path: problem.path ?? '(dataset)',
    [side]: location,
    description: `${side === 'a' ? 'A' : 'B'}: ${problem.reason}; nothing after it was compared`,
  };
}

function unexplainedChange(raw: RawComparison): Change {
  const at = raw.datasetDifference;
  return {
    kind: 'bytes-changed',
    path: '(dataset)',
    description: at
      ? `dataset bytes differ (A byte ${at.a}, B byte ${at.b}) but no element differs in tag, VR, length encoding or value (e.g. reserved header bytes)`
      : 'the files differ but no element-level cause was found',
  };
}

async function locateFirstDifference(a: OpenedInput, b: OpenedInput, raw: RawComparison): Promise<FirstDifference | undefined> {
  if (raw.headerDifference !== undefined) return locatePair(a, b, raw.headerDifference, raw.headerDifference);
  if (raw.datasetDifference) return locatePair(a, b, raw.datasetDifference.a, raw.datasetDifference.b);
  return undefined;
}

async function locatePair(a: OpenedInput, b: OpenedInput, offsetA: number, offsetB: number): Promise<FirstDifference> {
  return { a: await locate(a, offsetA), b: await locate(b, offsetB) };
}

async function locate(input: OpenedInput, offset: number): Promise<ByteLocation> {
  if (offset >= input.size) return { offset, atEnd: true };
  const span = spanAt(await annotate(input, offset, offset + 1), offset);
  if (!span) return { offset, atEnd: false };
  return {
    offset,
    atEnd: false,
    region: span.region,
    part: span.part,
    ...(span.path ? { path: span.path } : {}),
    ...(span.keyword ? { keyword: span.keyword } : {}),
  };
}

function identicalDatasetsSummary(regions: Regions): string {
  const parts: string[] = [];
  if (!regions.preamble.equal) parts.push('the preamble');
  if (regions.prefix.a !== regions.prefix.b) parts.push('the DICM prefix');
  if (!regions.meta.equal)
    parts.push(`the meta group (${regions.meta.differences.length} element${regions.meta.differences.length === 1 ? '' : 's'})`);
  return `The datasets are identical byte for byte; the files differ in ${parts.join(', ') || 'their header bytes'}.`;
}

function differSummary(changes: ChangesByKind, count: number): string {
  const counts = CHANGE_KINDS.filter((kind) => changes[kind].length > 0).map((kind) => countedChangeKind(kind, changes[kind].length));
  return `The datasets differ: ${count} change${count === 1 ? '' : 's'} (${counts.join(', ')}).`;
}
