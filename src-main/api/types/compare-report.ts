/**
 * The result of comparing two DICOM files: plain data (JSON-serializable) that the CLI prints and
 * the UI shows.
 */
import type { BytePart, ByteRegion } from './byte-span.ts';
import type { ChangesByKind } from './change-kinds.ts';

export type Verdict = 'identical-files' | 'identical-datasets' | 'datasets-differ' | 'not-comparable';

export interface FileFacts {
  path: string;
  size: number;
  /** Absent when the other file or this one is not DICOM and they differ: the comparison stopped at the first difference. */
  sha256?: string;
}

export interface PreambleSide {
  present: boolean;
  /** All 128 bytes zero (what PS3.10 recommends when the preamble is unused). */
  allZero: boolean;
}

export interface DatasetSide {
  /** File offset of the first dataset byte. */
  offset: number;
  /** Dataset bytes in the file. */
  length: number;
  transferSyntaxUid: string;
  transferSyntax: string;
  /** 'inflated' for a deflated dataset: element offsets then count inflated bytes from the dataset start. */
  offsetSpace: 'file' | 'inflated';
  /** Top-level elements, when the dataset was walked. */
  elementCount?: number;
}

export interface Regions {
  preamble: { a: PreambleSide; b: PreambleSide; equal: boolean };
  prefix: { a: boolean; b: boolean };
  meta: {
    a: { offset: number; length: number; elementCount: number };
    b: { offset: number; length: number; elementCount: number };
    equal: boolean;
    differences: MetaDifference[];
  };
  dataset: {
    a: DatasetSide;
    b: DatasetSide;
    /** The dataset bytes are byte for byte the same. */
    bytesEqual: boolean;
    /** Whether the datasets were walked element by element (not needed when their bytes are equal). */
    walked: boolean;
  };
}

export interface ByteLocation {
  offset: number;
  /** The offset is the end of this file (the other one goes on). */
  atEnd: boolean;
  region?: ByteRegion;
  part?: BytePart;
  path?: string;
  keyword?: string;
}

export interface FirstDifference {
  a: ByteLocation;
  b: ByteLocation;
}

export interface CompareReport {
  verdict: Verdict;
  /** One line: the verdict in words (for not-comparable, why). */
  summary: string;
  files: { a: FileFacts; b: FileFacts };
  /** Absent when a file is not DICOM. */
  regions?: Regions;
  transferSyntax: { a?: string; b?: string; changed: boolean };
  changes: ChangesByKind;
  changeCount: number;
  /** First byte that differs, in file order (header bytes aligned at 0, then dataset bytes aligned at each dataset's start). */
  firstDifference?: FirstDifference;
  /** First differing dataset byte, when the datasets' bytes differ. */
  firstDatasetDifference?: FirstDifference;
}

export interface MetaSide {
  vr: string;
  offset: number;
  valueOffset: number;
  valueLength: number;
  value: string;
}

export interface MetaDifference {
  kind: 'value-changed' | 'element-added' | 'element-removed' | 'vr-changed';
  path: string;
  keyword?: string;
  a?: MetaSide;
  b?: MetaSide;
  description: string;
}
