/**
 * JPEG 2000, which DCMTK 3.6.7 cannot decode: the reference is pydicom's uncompressed original of
 * the same image (lossless), and the attributes decoding changes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TransferSyntax } from '../../src-main/dicom/transfer-syntax.ts';
import { dcmtkElementLines, topLevelValue, transcodeFile } from '../helpers/transcode-files.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const PIXEL_DATA = 0x7fe00010;

describe('JPEG 2000 decoding', () => {
  const tmp = useTempDir('transcode-j2k-');

  it('MR_small_jp2klossless.dcm decodes to the pixel data of the uncompressed MR_small.dcm, byte for byte', async () => {
    const output = join(tmp.path, 'mr.dcm');
    await transcodeFile(join(PYDICOM, 'MR_small_jp2klossless.dcm'), TransferSyntax.ExplicitVRLittleEndian, output);
    const ours = await topLevelValue(output, PIXEL_DATA);
    const original = await topLevelValue(join(PYDICOM, 'MR_small.dcm'), PIXEL_DATA);
    expect(ours!.equals(original!)).toBe(true);
  });

  it('YBR_RCT (reversible colour transform) comes out as RGB, interleaved, at the full frame size', async () => {
    const output = join(tmp.path, 'rct.dcm');
    await transcodeFile(join(PYDICOM, 'GDCMJ2K_TextGBR.dcm'), TransferSyntax.ExplicitVRLittleEndian, output);
    const lines = await dcmtkElementLines(output);
    expect(lines).toContain('(0028,0004) CS [RGB]');
    expect(lines).toContain('(0028,0006) US 0');
    const rows = Number(/^\(0028,0010\) US (\d+)/.exec(lines.find((l) => l.startsWith('(0028,0010)'))!)![1]);
    const columns = Number(/^\(0028,0011\) US (\d+)/.exec(lines.find((l) => l.startsWith('(0028,0011)'))!)![1]);
    expect((await topLevelValue(output, PIXEL_DATA))!.length).toBe(rows * columns * 3);
  });

  it.each(['693_J2KI.dcm', 'J2K_pixelrep_mismatch.dcm', 'JPEG2000.dcm', 'SC_rgb_gdcm_KY.dcm'])(
    '%s decodes to native pixel data DCMTK reads',
    async (name) => {
      const output = join(tmp.path, name);
      await transcodeFile(join(PYDICOM, name), TransferSyntax.ExplicitVRLittleEndian, output);
      const lines = await dcmtkElementLines(output);
      expect(lines.some((line) => /^\(7fe0,0010\) O[BW] /.test(line))).toBe(true);
    },
  );

  it('a damaged codestream fails naming the frame and the decoder reason, not with a crash', async () => {
    await expect(
      transcodeFile(
        join(PYDICOM, 'JPEG2000-embedded-sequence-delimiter.dcm'),
        TransferSyntax.ExplicitVRLittleEndian,
        join(tmp.path, 'damaged.dcm'),
      ),
    ).rejects.toThrow(
      /JPEG 2000 \(1\.2\.840\.10008\.1\.2\.4\.91\) -> Explicit VR Little Endian \(1\.2\.840\.10008\.1\.2\.1\): frame 1 of 1 cannot be decoded \(.+\)/,
    );
  });
});
