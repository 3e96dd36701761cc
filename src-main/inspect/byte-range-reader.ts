/**
 * Bytes of a file for a hex view, each annotated with the element (tag path and part) it belongs
 * to. The dataset is walked only as far as the range reaches, skipping values and keeping nothing
 * of the elements before the range, so a range anywhere in a 1 GiB file stays cheap.
 */
import { open } from 'node:fs/promises';
import { datasetSpans, headerSpans } from './byte-annotation.ts';
import type { ByteSpan } from '../api/types/byte-span.ts';
import { asInput, openDatasetSource, openInput, type CompareInput, type OpenedInput } from './dataset-input.ts';
import { walkEvents } from './element-walker.ts';

export interface ByteRange {
  path: string;
  /** The offset asked for, and the bytes there (fewer than asked at the end of the file). */
  offset: number;
  bytes: Buffer;
  fileSize: number;
  /** Cover every byte of `bytes`, in order. */
  spans: ByteSpan[];
}

export async function readByteRange(input: string | CompareInput, offset: number, length: number): Promise<ByteRange> {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) {
    throw new RangeError(`byte range must be non-negative integers, got offset ${offset}, length ${length}`);
  }
  const opened = await openInput(asInput(input));
  const start = Math.min(offset, opened.size);
  const end = Math.min(offset + length, opened.size);
  const bytes = await readBytes(opened.path, start, end);
  return { path: opened.path, offset: start, bytes, fileSize: opened.size, spans: await annotate(opened, start, end) };
}

export async function annotate(opened: OpenedInput, start: number, end: number): Promise<ByteSpan[]> {
  const spans: ByteSpan[] = opened.header ? headerSpans(opened.header, start, end) : [];
  const datasetStart = Math.max(start, opened.datasetOffset);
  if (end > datasetStart) {
    if (!opened.encoding) {
      spans.push({ start: datasetStart, end, region: 'dataset', part: 'unparsed' });
    } else if (opened.encoding.deflated) {
      // Deflated bytes have no element boundaries of their own; elements exist only after inflating.
      spans.push({ start: datasetStart, end, region: 'dataset', part: 'deflated' });
    } else {
      const source = await openDatasetSource(opened);
      try {
        spans.push(...(await datasetSpans(walkEvents(source, { ...opened.encoding, hashValues: false, stopAt: end }), datasetStart, end)));
        const covered = spans.reduce((max, span) => Math.max(max, span.end), datasetStart);
        if (covered < end) spans.push({ start: covered, end, region: 'dataset', part: 'unparsed' });
      } finally {
        await source.close();
      }
    }
  }
  return spans.sort((x, y) => x.start - y.start);
}

async function readBytes(path: string, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(end - start);
  if (buffer.length === 0) return buffer;
  const handle = await open(path, 'r');
  try {
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
