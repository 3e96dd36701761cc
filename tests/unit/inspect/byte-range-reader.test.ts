import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ByteSpan } from '../../../src-main/api/types/byte-span.ts';
import { spanAt } from '../../../src-main/inspect/byte-annotation.ts';
import { readByteRange } from '../../../src-main/inspect/byte-range-reader.ts';
import { buildP10File, FixtureTransferSyntax, writeLargeP10File } from '../../helpers/dicom-fixtures.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const tmp = useTempDir('byte-range-');

function expectContiguous(spans: ByteSpan[], start: number, end: number): void {
  let at = start;
  for (const span of spans) {
    expect(span.start, `gap or overlap before ${JSON.stringify(span)}`).toBe(at);
    at = span.end;
  }
  expect(at).toBe(end);
}

function pattern(tag: number, vr: string): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16LE(tag >>> 16, 0);
  b.writeUInt16LE(tag & 0xffff, 2);
  b.write(vr, 4, 'latin1');
  return b;
}

describe('readByteRange', () => {
  it('annotates every byte of a file, in order and without gaps, from preamble to trailing padding', async () => {
    const bytes = buildP10File({ edgeCases: true });
    const path = await tmp.file('edge.dcm', bytes);
    const range = await readByteRange(path, 0, bytes.length);
    expect(range.bytes.equals(bytes)).toBe(true);
    expectContiguous(range.spans, 0, bytes.length);
    expect(range.spans.slice(0, 6).map((s) => [s.start, s.end, s.region, s.part, s.path])).toEqual([
      [0, 128, 'preamble', 'preamble', undefined],
      [128, 132, 'prefix', 'prefix', undefined],
      [132, 136, 'meta', 'tag', '(0002,0000)'],
      [136, 138, 'meta', 'vr', '(0002,0000)'],
      [138, 140, 'meta', 'length', '(0002,0000)'],
      [140, 144, 'meta', 'value', '(0002,0000)'],
    ]);
    expect(range.spans[range.spans.length - 1]).toMatchObject({ path: '(FFFC,FFFC)', part: 'value', end: bytes.length });
  });

  it('labels a sequence header part by part, its item header and the item and sequence delimiters', async () => {
    const bytes = buildP10File({ edgeCases: true });
    const path = await tmp.file('sequence.dcm', bytes);
    const sequence = bytes.indexOf(pattern(0x00081140, 'SQ'));
    const range = await readByteRange(path, sequence, 20);
    expect(range.spans.map((s) => [s.start - sequence, s.end - sequence, s.part, s.path])).toEqual([
      [0, 4, 'tag', '(0008,1140)'],
      [4, 6, 'vr', '(0008,1140)'],
      [6, 8, 'reserved', '(0008,1140)'],
      [8, 12, 'length', '(0008,1140)'],
      [12, 16, 'tag', '(0008,1140)[0]'],
      [16, 20, 'length', '(0008,1140)[0]'],
    ]);
    const delimiters = bytes.indexOf(Buffer.from([0xfe, 0xff, 0x0d, 0xe0]));
    const tail = await readByteRange(path, delimiters, 16);
    expect(tail.spans.map((s) => [s.part, s.path])).toEqual([
      ['tag', '(0008,1140)[0]/item-delimiter'],
      ['length', '(0008,1140)[0]/item-delimiter'],
      ['tag', '(0008,1140)/sequence-delimiter'],
      ['length', '(0008,1140)/sequence-delimiter'],
    ]);
  });

  it('gives implicit VR elements a tag and a 4-byte length, no VR', async () => {
    const bytes = buildP10File({ transferSyntaxUid: FixtureTransferSyntax.ImplicitVRLittleEndian });
    const path = await tmp.file('implicit.dcm', bytes);
    const name = bytes.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x08, 0x00, 0x00, 0x00]));
    const range = await readByteRange(path, name, 16);
    expect(range.spans.map((s) => [s.start - name, s.end - name, s.part, s.path, s.vr])).toEqual([
      [0, 4, 'tag', '(0010,0010)', 'PN'],
      [4, 8, 'length', '(0010,0010)', 'PN'],
      [8, 16, 'value', '(0010,0010)', 'PN'],
    ]);
  });

  it('labels a deflated dataset as deflated bytes, since its elements exist only once inflated', async () => {
    const bytes = buildP10File({ transferSyntaxUid: FixtureTransferSyntax.DeflatedExplicitVRLittleEndian, pixelDataBytes: 2048 });
    const path = await tmp.file('deflated.dcm', bytes);
    const range = await readByteRange(path, bytes.length - 40, 40);
    expect(range.spans).toEqual([{ start: bytes.length - 40, end: bytes.length, region: 'dataset', part: 'deflated' }]);
  });

  it('reads a range near the end of a large file by walking only headers, and names the frame', async () => {
    const path = join(tmp.path, 'large.dcm');
    const frameBytes = 8 * 1024 * 1024;
    await writeLargeP10File(path, { pixelDataBytes: 4 * frameBytes, numberOfFrames: 4 });
    const range = await readByteRange(path, 4 * frameBytes - 10, 32);
    expect(range.bytes.length).toBe(32);
    const span = spanAt(range.spans, range.offset);
    expect(span).toMatchObject({ region: 'dataset', part: 'value', path: '(7FE0,0010)/frame[3]', keyword: 'PixelData' });
  });

  it('returns fewer bytes at the end of the file, and none past it', async () => {
    const bytes = buildP10File();
    const path = await tmp.file('short.dcm', bytes);
    expect((await readByteRange(path, bytes.length - 4, 32)).bytes.length).toBe(4);
    const past = await readByteRange(path, bytes.length + 100, 32);
    expect(past.bytes.length).toBe(0);
    expect(past.spans).toEqual([]);
  });
});
