/**
 * Frames rendered by the engine against DCMTK's dcmj2pnm with the same window: the reference is an
 * independent implementation of the same PS3.3 pipeline (modality LUT, VOI window, polarity).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFrame } from '../../../src-main/imaging/render-frame.ts';
import { run } from '../../helpers/dcmtk.ts';
import { buildP10File, datasetRegion, usElementOffset } from '../../helpers/dicom-fixtures.ts';
import { decodePng, decodePnm } from '../../helpers/png-decode.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const tmp = useTempDir('render-frame-');

async function reference(file: string, args: string[]): Promise<ReturnType<typeof decodePnm>> {
  const out = join(tmp.path, `${file}-${args.join('_')}.pnm`);
  const result = await run('dcmj2pnm', [...args, join(CORPUS, file), out]);
  expect(result.code, result.stderr).toBe(0);
  return decodePnm(await readFile(out));
}

/** Largest difference of any sample: rounding at the window's edges may differ by one grey level. */
function maxDifference(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function rendered(file: string, request: Parameters<typeof renderFrame>[1]) {
  const result = await renderFrame(join(CORPUS, file), request);
  if (!result.ok) throw new Error(result.reason);
  return { result, image: decodePng(Buffer.from(result.png, 'base64')) };
}

describe('renderFrame', () => {
  it('renders a signed 16-bit CT with rescale, windowed over its data range when the file has no window, as DCMTK does', async () => {
    const { result, image } = await rendered('CT_small.dcm', {});
    // -896..1167 HU after the rescale (intercept -1024).
    expect(result).toMatchObject({
      columns: 128,
      rows: 128,
      frames: 1,
      photometric: 'MONOCHROME2',
      range: { min: -896, max: 1167 },
      defaultWindow: { center: 135.5, width: 2063 },
    });
    const ref = await reference('CT_small.dcm', ['+Ww', '135.5', '2063']);
    expect(maxDifference(image.pixels, ref.pixels)).toBeLessThanOrEqual(1);
  });

  it('applies a window the viewer asks for', async () => {
    const { result, image } = await rendered('CT_small.dcm', { window: { center: 40, width: 400 } });
    expect(result.window).toEqual({ center: 40, width: 400 });
    const ref = await reference('CT_small.dcm', ['+Ww', '40', '400']);
    expect(maxDifference(image.pixels, ref.pixels)).toBeLessThanOrEqual(1);
  });

  it('reads only the requested frame of a 15-frame 32-bit dose grid', async () => {
    const { result, image } = await rendered('rtdose.dcm', { frame: 3, window: { center: 1_000_000, width: 500_000 } });
    expect(result).toMatchObject({ frame: 3, frames: 15, columns: 10, rows: 10 });
    const ref = await reference('rtdose.dcm', ['+F', '4', '+Ww', '1000000', '500000']);
    expect(maxDifference(image.pixels, ref.pixels)).toBeLessThanOrEqual(1);
    const other = await rendered('rtdose.dcm', { frame: 14, window: { center: 1_000_000, width: 500_000 } });
    expect(other.image.pixels.equals(image.pixels)).toBe(false);
  });

  it('takes the window from the file when it has one', async () => {
    const { result, image } = await rendered('MR_small.dcm', {});
    expect(result.defaultWindow).toEqual({ center: 600, width: 1600 });
    const ref = await reference('MR_small.dcm', ['+Wi', '1']);
    expect(maxDifference(image.pixels, ref.pixels)).toBeLessThanOrEqual(1);
  });

  it('renders big endian and implicit VR files like the little endian original', async () => {
    const le = await rendered('MR_small.dcm', {});
    for (const variant of ['MR_small_bigendian.dcm', 'MR_small_implicit.dcm']) {
      expect((await rendered(variant, {})).image.pixels.equals(le.image.pixels), variant).toBe(true);
    }
  });

  it('shows RGB as stored, whatever the window', async () => {
    const { result, image } = await rendered('ExplVR_BigEnd.dcm', { window: { center: 1, width: 2 } });
    expect(result.window).toBeNull();
    expect(image.channels).toBe(3);
    const ref = await reference('ExplVR_BigEnd.dcm', []);
    expect(maxDifference(image.pixels, ref.pixels)).toBe(0);
  });

  it('scales a thumbnail down within the size asked, aspect kept', async () => {
    const { result, image } = await rendered('ExplVR_BigEnd.dcm', { maxSize: 40 });
    expect([result.width, result.height, image.width, image.height]).toEqual([40, 30, 40, 30]);
    expect(result.columns).toBe(80);
  });

  it('renders a losslessly compressed frame (RLE, JPEG-LS, JPEG 2000) exactly as its uncompressed original', async () => {
    const native = await rendered('MR_small.dcm', {});
    expect(native.result.decodedFrom).toBeNull();
    const original = native.image.pixels;
    for (const [file, decodedFrom] of [
      ['MR_small_RLE.dcm', 'RLE Lossless'],
      ['MR_small_jpeg_ls_lossless.dcm', 'JPEG-LS Lossless'],
      ['MR_small_jp2klossless.dcm', 'JPEG 2000 Lossless'],
    ]) {
      const { result, image } = await rendered(file!, {});
      expect(result.decodedFrom, file).toBe(decodedFrom);
      expect(image.pixels.equals(original), file).toBe(true);
    }
    // Colour: against DCMTK's own RLE decoder.
    const rgb = await rendered('SC_rgb_rle.dcm', {});
    expect(maxDifference(rgb.image.pixels, (await reference('SC_rgb_rle.dcm', [])).pixels)).toBe(0);
  });

  it('decodes only the frame asked for from compressed multi-frame data, as its uncompressed original', async () => {
    const window = { center: 1_000_000, width: 500_000 };
    for (const frame of [0, 6, 14]) {
      const original = await rendered('rtdose.dcm', { frame, window });
      const compressed = await rendered('rtdose_rle.dcm', { frame, window });
      expect(compressed.result).toMatchObject({ frame, frames: 15 });
      expect(compressed.image.pixels.equals(original.image.pixels), `frame ${frame + 1}`).toBe(true);
    }
    const second = await rendered('SC_rgb_rle_2frame.dcm', { frame: 1 });
    expect(maxDifference(second.image.pixels, (await reference('SC_rgb_rle_2frame.dcm', ['+F', '2'])).pixels)).toBe(0);
  });

  it('renders a lossy YBR JPEG as RGB, as DCMTK decodes it', async () => {
    const { result, image } = await rendered('SC_rgb_jpeg_dcmtk.dcm', {});
    expect(result.photometric).toBe('RGB');
    const ref = await reference('SC_rgb_jpeg_dcmtk.dcm', []);
    expect(maxDifference(image.pixels, ref.pixels)).toBeLessThanOrEqual(2);
  });

  it('does not read or decode a frame larger than 256 MiB, whatever the pixel data holds', async () => {
    for (const transferSyntaxUid of ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.50']) {
      const file = buildP10File({ transferSyntaxUid, pixelDataBytes: 256 });
      for (const tag of [0x00280010, 0x00280011]) {
        const at = file.indexOf(datasetRegion(file)) + usElementOffset(datasetRegion(file), transferSyntaxUid, tag);
        file.writeUInt16LE(65_535, at + 8);
      }
      const path = join(tmp.path, `huge-${transferSyntaxUid}.dcm`);
      await writeFile(path, file);
      expect(await renderFrame(path, {}), transferSyntaxUid).toEqual({
        ok: false,
        reason: expect.stringMatching(/^a frame of 65535x65535 at (8|16) bits is \d+ MiB, and the viewer shows frames up to 256 MiB$/),
      });
    }
  });

  it('names what it cannot show: a deflated dataset, 1-bit pixels, a frame the image does not have', async () => {
    expect(await renderFrame(join(CORPUS, 'image_dfl.dcm'), {})).toMatchObject({
      ok: false,
      reason: 'the dataset is deflated, which the viewer does not inflate',
    });
    expect(await renderFrame(join(CORPUS, 'liver_1frame.dcm'), {})).toMatchObject({
      ok: false,
      reason: 'the viewer does not show 1-bit pixels',
    });
    expect(await renderFrame(join(CORPUS, 'rtdose.dcm'), { frame: 15 })).toMatchObject({
      ok: false,
      reason: 'there is no frame 16: the image has 15',
    });
    expect(await renderFrame(join(CORPUS, 'waveform_ecg.dcm'), {})).toMatchObject({
      ok: false,
      reason: 'this instance holds no image (no Pixel Data); what it holds is in its elements',
    });
  });
});
