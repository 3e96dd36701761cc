/**
 * One streaming pass over two files: SHA-256 and size of each (identical files are settled here,
 * before any element walk), and the first byte where they differ, in the bytes before the dataset
 * (aligned at the start of the file) and in the dataset (aligned at the start of each dataset, so
 * a longer meta group in one file does not make every dataset byte "differ").
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export interface FileFingerprint {
  size: number;
  /** Absent when the pass stopped at the first difference (see `stopAtFirstDifference`). */
  sha256?: string;
}

export interface RawComparison {
  a: FileFingerprint;
  b: FileFingerprint;
  identical: boolean;
  /** First differing byte before the datasets (same offset in both files), if any. */
  headerDifference?: number;
  /** First differing dataset byte, as an offset in each file, if any. */
  datasetDifference?: { a: number; b: number };
  datasetBytesEqual: boolean;
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * `stopAtFirstDifference`: the caller only needs to know where the files first differ (one is not
 * DICOM, so nothing else will be compared); the pass ends there and neither digest is computed, so
 * a 2 GB file of zeros is not read to the end.
 */
export async function compareRawBytes(
  pathA: string,
  pathB: string,
  datasetOffsetA: number,
  datasetOffsetB: number,
  stopAtFirstDifference = false,
): Promise<RawComparison> {
  const a = await open(pathA, 'r');
  try {
    const b = await open(pathB, 'r');
    try {
      return await comparePair(a, b, datasetOffsetA, datasetOffsetB, stopAtFirstDifference);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

async function comparePair(
  a: FileHandle,
  b: FileHandle,
  datasetOffsetA: number,
  datasetOffsetB: number,
  stopAtFirstDifference: boolean,
): Promise<RawComparison> {
  const [sizeA, sizeB] = [(await a.stat()).size, (await b.stat()).size];
  const hashA = createHash('sha256');
  const hashB = createHash('sha256');
  const headA = await readRange(a, 0, Math.min(datasetOffsetA, sizeA));
  const headB = await readRange(b, 0, Math.min(datasetOffsetB, sizeB));
  hashA.update(headA);
  hashB.update(headB);
  const headerIndex = firstDifference(headA, headB);
  const headerDifference = headerIndex ?? (headA.length !== headB.length ? Math.min(headA.length, headB.length) : undefined);

  const bufferA = Buffer.allocUnsafe(CHUNK_BYTES);
  const bufferB = Buffer.allocUnsafe(CHUNK_BYTES);
  let datasetDifference: { a: number; b: number } | undefined;
  let stopped = stopAtFirstDifference && headerDifference !== undefined;
  for (let k = 0; !stopped; k += CHUNK_BYTES) {
    const [readA, readB] = await Promise.all([
      readAt(a, bufferA, datasetOffsetA + k, sizeA),
      readAt(b, bufferB, datasetOffsetB + k, sizeB),
    ]);
    if (readA === 0 && readB === 0) break;
    const chunkA = bufferA.subarray(0, readA);
    const chunkB = bufferB.subarray(0, readB);
    hashA.update(chunkA);
    hashB.update(chunkB);
    if (!datasetDifference) {
      const index = firstDifference(chunkA, chunkB) ?? (readA !== readB ? Math.min(readA, readB) : undefined);
      if (index !== undefined) datasetDifference = { a: datasetOffsetA + k + index, b: datasetOffsetB + k + index };
    }
    stopped = stopAtFirstDifference && datasetDifference !== undefined;
  }
  const fingerprintA: FileFingerprint = stopped ? { size: sizeA } : { size: sizeA, sha256: hashA.digest('hex') };
  const fingerprintB: FileFingerprint = stopped ? { size: sizeB } : { size: sizeB, sha256: hashB.digest('hex') };
  return {
    a: fingerprintA,
    b: fingerprintB,
    identical: !stopped && sizeA === sizeB && fingerprintA.sha256 === fingerprintB.sha256,
    ...(headerDifference !== undefined ? { headerDifference } : {}),
    ...(datasetDifference ? { datasetDifference } : {}),
    datasetBytesEqual: datasetDifference === undefined,
  };
}

/** Index of the first differing byte within the common length, or undefined. */
function firstDifference(x: Buffer, y: Buffer): number | undefined {
  const length = Math.min(x.length, y.length);
  if (x.subarray(0, length).equals(y.subarray(0, length))) return undefined;
  for (let i = 0; i < length; i++) if (x[i] !== y[i]) return i;
  return undefined;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, end - start));
  if (buffer.length > 0) await readAt(handle, buffer, start, end);
  return buffer;
}

/** Fills `buffer` from `position` (not past `end`); returns how many bytes were read. */
async function readAt(handle: FileHandle, buffer: Buffer, position: number, end: number): Promise<number> {
  const want = Math.max(0, Math.min(buffer.length, end - position));
  let filled = 0;
  while (filled < want) {
    const { bytesRead } = await handle.read(buffer, filled, want - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
