/**
 * Comparison reports as the engine sends them to the Inspector, built from a few numbers: tests of
 * the Inspector's logic and of its view state only the offsets and changes they are about.
 */
import { CHANGE_KINDS, type Change, type ChangesByKind } from '../../../../src-main/api/types/change-kinds.ts';
import type { CompareReport, DatasetSide, Regions } from '../../../../src-main/api/types/compare-report.ts';

/** Where an element lies in one file: an 8-byte header at `offset`, its value right after. */
export function elementSpan(offset: number, vr: string, valueLength = 8): NonNullable<Change['a']> {
  return { vr, offset, headerLength: 8, valueOffset: offset + 8, valueLength, undefinedLength: false, endOffset: offset + 8 + valueLength };
}

/** Every change kind, empty unless given. */
export function changesByKind(partial: Partial<ChangesByKind> = {}): ChangesByKind {
  return Object.fromEntries(CHANGE_KINDS.map((kind) => [kind, partial[kind] ?? []])) as unknown as ChangesByKind;
}

/**
 * The regions of two files whose datasets start at `datasetAt` (empty meta groups at 132, the
 * dataset bytes unequal): the preambles are both all zero unless B's is not.
 */
export function compareRegions(opts: {
  datasetAt: { a: number; b: number };
  offsetSpaceOfA?: DatasetSide['offsetSpace'];
  preambleOfBAllZero?: boolean;
}): Regions {
  const bAllZero = opts.preambleOfBAllZero ?? true;
  const dataset = (offset: number, offsetSpace: DatasetSide['offsetSpace']): DatasetSide => ({
    offset,
    length: 0,
    transferSyntaxUid: '',
    transferSyntax: '',
    offsetSpace,
  });
  const meta = { offset: 132, length: 0, elementCount: 0 };
  return {
    preamble: { a: { present: true, allZero: true }, b: { present: true, allZero: bAllZero }, equal: bAllZero },
    prefix: { a: true, b: true },
    meta: { a: meta, b: meta, equal: true, differences: [] },
    dataset: {
      a: dataset(opts.datasetAt.a, opts.offsetSpaceOfA ?? 'file'),
      b: dataset(opts.datasetAt.b, 'file'),
      bytesEqual: false,
      walked: true,
    },
  };
}

/** Two 100-byte files whose datasets differ, with no changes listed: tests give what they are about. */
export function compareReport(partial: Partial<CompareReport>): CompareReport {
  return {
    verdict: 'datasets-differ',
    summary: '',
    files: { a: { path: 'a', size: 100, sha256: '' }, b: { path: 'b', size: 100, sha256: '' } },
    transferSyntax: { changed: false },
    changes: changesByKind(),
    changeCount: 0,
    ...partial,
  };
}
