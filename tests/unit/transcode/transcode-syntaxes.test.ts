import { describe, expect, it } from 'vitest';
import { TransferSyntax } from '../../../src-main/dicom/transfer-syntax.ts';
import { canTranscode, COMPRESSED_SYNTAXES, decodedPhotometric, NATIVE_SYNTAXES } from '../../../src-main/transcode/transcode-syntaxes.ts';
import { transcodeDataset, TranscodeError } from '../../../src-main/transcode/transcode-dataset.ts';

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const JPEG_2000 = '1.2.840.10008.1.2.4.91';
const MPEG2 = '1.2.840.10008.1.2.4.100';

describe('canTranscode', () => {
  it('converts every native syntax to every native syntax', () => {
    for (const from of NATIVE_SYNTAXES) for (const to of NATIVE_SYNTAXES) expect(canTranscode(from, to), `${from} -> ${to}`).toBe(true);
  });

  it('decodes every supported compressed syntax to each native syntax, and encodes none', () => {
    for (const compressed of COMPRESSED_SYNTAXES) {
      expect(canTranscode(compressed, TransferSyntax.ExplicitVRLittleEndian)).toBe(true);
      expect(canTranscode(TransferSyntax.ExplicitVRLittleEndian, compressed)).toBe(false);
    }
  });

  it('refuses video and unknown syntaxes', () => {
    expect(canTranscode(MPEG2, TransferSyntax.ExplicitVRLittleEndian)).toBe(false);
    expect(canTranscode('1.2.3.4', TransferSyntax.ExplicitVRLittleEndian)).toBe(false);
  });

  it('transcodeDataset refuses a conversion it does not make, naming both syntaxes', async () => {
    const chunks = transcodeDataset({ path: '/nonexistent', offset: 0, length: 0 }, MPEG2, TransferSyntax.ExplicitVRLittleEndian);
    await expect(chunks.next()).rejects.toThrow(TranscodeError);
    await expect(
      transcodeDataset({ path: '/x', offset: 0, length: 0 }, MPEG2, TransferSyntax.ExplicitVRLittleEndian).next(),
    ).rejects.toThrow(
      '/x: MPEG2 Main Profile / Main Level (1.2.840.10008.1.2.4.100) -> Explicit VR Little Endian (1.2.840.10008.1.2.1): not a conversion the transcoder makes',
    );
  });
});

describe('decodedPhotometric', () => {
  it('lossy JPEG in YBR_FULL or YBR_FULL_422 becomes RGB; lossless JPEG keeps its interpretation', () => {
    const baseline = { decoder: 'jpeg' as const, lossyJpeg: true };
    const lossless = { decoder: 'jpeg' as const, lossyJpeg: false };
    expect(decodedPhotometric(baseline, 'YBR_FULL_422')).toBe('RGB');
    expect(decodedPhotometric(baseline, 'YBR_FULL')).toBe('RGB');
    expect(decodedPhotometric(baseline, 'MONOCHROME2')).toBe('MONOCHROME2');
    expect(decodedPhotometric(lossless, 'YBR_FULL')).toBe('YBR_FULL');
    expect(
      canTranscode(JPEG_BASELINE, TransferSyntax.ImplicitVRLittleEndian) &&
        canTranscode(JPEG_LOSSLESS_SV1, TransferSyntax.ImplicitVRLittleEndian),
    ).toBe(true);
  });

  it('JPEG 2000 YBR_ICT and YBR_RCT become RGB', () => {
    const j2k = { decoder: 'jpeg2000' as const, lossyJpeg: false };
    expect(decodedPhotometric(j2k, 'YBR_ICT')).toBe('RGB');
    expect(decodedPhotometric(j2k, 'YBR_RCT')).toBe('RGB');
    expect(canTranscode(JPEG_2000, TransferSyntax.ExplicitVRLittleEndian)).toBe(true);
  });
});
