import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceElements } from '../../../src-main/inspect/instance-elements.ts';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

describe('instanceElements', () => {
  it('lists the meta group, then every dataset element with offset, length and value as text', async () => {
    const listed = await instanceElements(join(CORPUS, 'CT_small.dcm'));
    expect(listed.transferSyntaxName).toBe('Explicit VR Little Endian (1.2.840.10008.1.2.1)');
    expect(listed.problem).toBeNull();
    const meta = listed.rows.filter((r) => r.meta);
    expect(meta[0]).toMatchObject({ tag: '(0002,0000)', name: 'FileMetaInformationGroupLength', offset: 132 });
    const byTag = (tag: string) => listed.rows.find((r) => r.tag === tag && !r.meta)!;
    expect(byTag('(0010,0010)')).toMatchObject({ name: 'PatientName', vr: 'PN', value: 'CompressedSamples^CT1' });
    expect(byTag('(0028,0010)')).toMatchObject({ name: 'Rows', vr: 'US', value: '128', length: 2 });
    // Pixel data is passed, not read: its size only.
    expect(byTag('(7FE0,0010)')).toMatchObject({ length: 32768 });
    const offsets = listed.rows.filter((r) => !r.meta).map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('names private elements by the creator that reserved their block', async () => {
    const listed = await instanceElements(join(CORPUS, 'CT_small.dcm'));
    expect(listed.rows.find((r) => r.tag === '(0009,0010)')).toMatchObject({ name: 'PrivateCreator', value: 'GEMS_IDEN_01' });
    expect(listed.rows.find((r) => r.tag === '(0009,1001)')).toMatchObject({
      name: 'Private (GEMS_IDEN_01)',
      privateCreator: 'GEMS_IDEN_01',
      value: 'GE_GENESIS_FF',
    });
  });

  it('nests sequence items and their elements one level deeper each, undefined lengths shown as such', async () => {
    const listed = await instanceElements(join(CORPUS, 'nested_priv_SQ.dcm'));
    const dataset = listed.rows.filter((r) => !r.meta).map((r) => [r.kind, r.depth, r.length]);
    expect(dataset).toEqual([
      ['element', 0, null],
      ['item', 1, null],
      ['element', 2, null],
      ['item', 3, null],
      ['element', 4, 16],
      ['element', 2, 9],
      ['element', 0, 2],
    ]);
  });

  it('reports where a truncated file stops instead of failing', async () => {
    const listed = await instanceElements(join(CORPUS, 'MR_truncated.dcm'));
    expect(listed.problem).toMatch(/data ends/);
    expect(listed.rows.length).toBeGreaterThan(10);
  });
});
