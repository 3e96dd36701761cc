import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareRawBytes } from '../../../src-main/inspect/file-fingerprints.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const tmp = useTempDir('fingerprints-');

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Deterministic bytes larger than one read chunk, so differences across chunk boundaries are exercised. */
const body = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 31 + (i >>> 11)) & 0xff));

describe('compareRawBytes', () => {
  it('gives each file its SHA-256 and size, and calls equal files identical', async () => {
    const a = await tmp.file('a', body);
    const b = await tmp.file('b', Buffer.from(body));
    const result = await compareRawBytes(a, b, 100, 100);
    expect(result).toEqual({
      a: { size: body.length, sha256: sha256(body) },
      b: { size: body.length, sha256: sha256(body) },
      identical: true,
      datasetBytesEqual: true,
    });
  });

  it('aligns datasets at their own start, so a longer header moves no dataset byte into "different"', async () => {
    const dataset = body.subarray(0, 2 * 1024 * 1024 + 17);
    const a = await tmp.file('short-header', Buffer.concat([Buffer.alloc(10, 1), dataset]));
    const b = await tmp.file('long-header', Buffer.concat([Buffer.alloc(14, 1), dataset]));
    const result = await compareRawBytes(a, b, 10, 14);
    expect(result.identical).toBe(false);
    expect(result.headerDifference).toBe(10);
    expect(result.datasetBytesEqual).toBe(true);
    expect(result.datasetDifference).toBeUndefined();
  });

  it('finds the first differing dataset byte beyond the first chunk, as an offset in each file', async () => {
    const changed = Buffer.from(body);
    const at = 2 * 1024 * 1024 + 123;
    changed[at]! ^= 0x80;
    const a = await tmp.file('x', Buffer.concat([Buffer.alloc(8), body]));
    const b = await tmp.file('y', Buffer.concat([Buffer.alloc(6), changed]));
    const result = await compareRawBytes(a, b, 8, 6);
    expect(result.datasetDifference).toEqual({ a: 8 + at, b: 6 + at });
    expect(result.headerDifference).toBe(6);
  });

  it('places the difference at the end of the shorter dataset when one is a prefix of the other', async () => {
    const a = await tmp.file('long', body);
    const b = await tmp.file('prefix', body.subarray(0, 1024 * 1024 + 1));
    const result = await compareRawBytes(a, b, 0, 0);
    expect(result.datasetDifference).toEqual({ a: 1024 * 1024 + 1, b: 1024 * 1024 + 1 });
    expect(result.b.size).toBe(1024 * 1024 + 1);
  });
});
