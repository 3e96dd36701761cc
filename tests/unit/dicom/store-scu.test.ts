import { describe, expect, it } from 'vitest';
import { planAssociations } from '../../../src-main/dicom/store-scu.ts';

const file = (sop: number, ts = '1.2.840.10008.1.2.1') => ({ sopClassUid: `1.2.3.${sop}`, transferSyntaxUid: ts });

describe('planAssociations', () => {
  it('keeps files of up to 128 distinct (SOP class, syntax) pairs in one association, in order', () => {
    const files = Array.from({ length: 300 }, (_, i) => file(i % 128));
    const batches = planAssociations(files);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(files);
  });

  it('starts a new association at the 129th distinct pair', () => {
    const files = Array.from({ length: 130 }, (_, i) => file(i));
    const batches = planAssociations(files);
    expect(batches.map((b) => b.length)).toEqual([128, 2]);
    expect(batches.flat()).toEqual(files);
  });

  it('counts the same SOP class in another syntax as another pair', () => {
    const files = [...Array.from({ length: 127 }, (_, i) => file(i)), file(0, '1.2.840.10008.1.2'), file(0, '1.2.840.10008.1.2.2')];
    expect(planAssociations(files).map((b) => b.length)).toEqual([128, 1]);
  });
});
