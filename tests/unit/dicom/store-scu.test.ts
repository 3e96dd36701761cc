import { describe, expect, it } from 'vitest';
import { planAssociations } from '../../../src-main/dicom/store-scu.ts';
import { proposalsFor, sendableSyntaxes } from '../../../src-main/dicom/transcode-fallback.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const MPEG2 = '1.2.840.10008.1.2.4.100';

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

  it("counts a file's fallback syntaxes as pairs too when transcoding is allowed", () => {
    // 43 JPEG files of distinct SOP classes need 3 contexts each: 129 > 128, so the 43rd starts a new association.
    const files = Array.from({ length: 43 }, (_, i) => file(i, JPEG_BASELINE));
    const batches = planAssociations(files, (f) => sendableSyntaxes(f.transferSyntaxUid, true));
    expect(batches.map((b) => b.length)).toEqual([42, 1]);
  });
});

describe('what is proposed for a file when transcoding is allowed', () => {
  it("proposes the file's own syntax first, then explicit and implicit VR little endian, each in its own context", () => {
    expect(proposalsFor('1.2.3', JPEG_BASELINE, true)).toEqual([
      { abstractSyntaxUid: '1.2.3', transferSyntaxUids: [JPEG_BASELINE] },
      { abstractSyntaxUid: '1.2.3', transferSyntaxUids: [EXPLICIT] },
      { abstractSyntaxUid: '1.2.3', transferSyntaxUids: [IMPLICIT] },
    ]);
    expect(sendableSyntaxes(IMPLICIT, true)).toEqual([IMPLICIT, EXPLICIT]);
  });

  it("proposes only the file's own syntax when transcoding is not allowed, or when the transcoder cannot convert it", () => {
    expect(proposalsFor('1.2.3', JPEG_BASELINE, false)).toEqual([{ abstractSyntaxUid: '1.2.3', transferSyntaxUids: [JPEG_BASELINE] }]);
    expect(sendableSyntaxes(MPEG2, true)).toEqual([MPEG2]);
  });
});
