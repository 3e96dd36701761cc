/**
 * Frames rendered by the engine against DCMTK's dcmj2pnm with the same window: the reference is an
 * independent implementation of the same PS3.3 pipeline (modality LUT, VOI window, polarity).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFrame } from '../../../src-main/imaging/render-frame.ts';
import { run } from '../../helpers/dcmtk.ts';
import { buildMetaHeader, buildP10File, datasetRegion, SopClass, usElementOffset } from '../../helpers/dicom-fixtures.ts';
import { explicitLeElement, textValue, uidValue, usValue } from '../../helpers/element-encoding.ts';
import { decodePng, decodePnm } from '../../helpers/png-decode.ts';
import { pydicomPaletteRgb } from '../../helpers/pydicom-reference.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const tmp = useTempDir('render-frame-');

/** DCMTK's rendering of a file of pydicom's corpus, or of the file at an absolute path. */
async function reference(file: string, args: string[]): Promise<ReturnType<typeof decodePnm>> {
  const out = join(tmp.path, `${basename(file)}-${args.join('_')}.pnm`);
  const result = await run('dcmj2pnm', [...args, resolve(CORPUS, file), out]);
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
  const result = await renderFrame(resolve(CORPUS, file), request);
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
        reason: expect.stringMatching(
          /^a frame of 65535x65535 at (8|16) bits is \d+ MiB to show, and the viewer shows frames up to 256 MiB$/,
        ),
      });
    }
  });

  it('shows a 1-bit segmentation black and white, as DCMTK does over its range', async () => {
    const { result, image } = await rendered('liver_1frame.dcm', {});
    expect(result).toMatchObject({ columns: 512, rows: 512, range: { min: 0, max: 1 }, defaultWindow: { center: 0.5, width: 1 } });
    const ref = await reference('liver_1frame.dcm', ['+Wm']);
    expect(maxDifference(image.pixels, ref.pixels)).toBe(0);
    expect(image.pixels.includes(255)).toBe(true);
  });

  it('refuses a 1-bit frame whose pixels, a byte each once unpacked, would pass 256 MiB', async () => {
    // 32 MiB packed, 256 MiB + 1 pixel row unpacked.
    const path = join(tmp.path, 'huge-one-bit.dcm');
    await writeFile(path, imageFile({ rows: 4097, columns: 65_535, bitsAllocated: 1, pixels: Buffer.alloc(16) }));
    expect(await renderFrame(path, {})).toEqual({
      ok: false,
      reason: 'a frame of 65535x4097 at 1 bits is 257 MiB to show, and the viewer shows frames up to 256 MiB',
    });
  });

  it('reads a 1-bit frame that starts inside a byte: frames are not padded to whole bytes', async () => {
    // Three 3x3 frames of 9 bits each: frame 2 starts at bit 18, in the third byte.
    const frames = ['100010001', '010010010', '111000111'];
    const path = join(tmp.path, 'three-bit-frames.dcm');
    await writeFile(path, imageFile({ rows: 3, columns: 3, bitsAllocated: 1, frames: 3, pixels: packBits(frames.join('')) }));
    for (const [index, bits] of frames.entries()) {
      const { image } = await rendered(path, { frame: index });
      expect([...image.pixels].map((p) => (p === 255 ? '1' : '0')).join(''), `frame ${index + 1}`).toBe(bits);
    }
  });

  it('shows PALETTE COLOR through its 16-bit tables, values outside the tables clamped, as DCMTK does', async () => {
    const entries = 200;
    const table = (f: (i: number) => number) => words(Array.from({ length: entries }, (_, i) => f(i)));
    // Stored values 0..255; the tables map 20..219.
    const path = await paletteImage('palette-16.dcm', Buffer.from(Array.from({ length: 256 }, (_, i) => i)), {
      entries,
      firstMapped: 20,
      bits: 16,
      red: table((i) => i * 300),
      green: table((i) => 65535 - i * 300),
      blue: table((i) => (i * 97) % 65536),
    });
    const { result, image } = await rendered(path, {});
    expect(result).toMatchObject({ photometric: 'PALETTE COLOR', window: null });
    expect(image.channels).toBe(3);
    expect(maxDifference(image.pixels, (await reference(path, [])).pixels)).toBe(0);
  });

  it('shows PALETTE COLOR through 8-bit tables packed two to a word, as the palettes of PS3.6 Annex B come', async () => {
    const entries = 256;
    const packed = (f: (i: number) => number) => Buffer.from(Array.from({ length: entries }, (_, i) => f(i)));
    const path = await paletteImage('palette-8.dcm', Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)), {
      entries,
      firstMapped: 0,
      bits: 8,
      red: packed((i) => i),
      green: packed((i) => (i * 2) % 256),
      blue: packed((i) => 255 - i),
    });
    const { image } = await rendered(path, {});
    expect(maxDifference(image.pixels, (await reference(path, [])).pixels)).toBe(0);
    expect([...image.pixels.subarray(0, 3)]).toEqual([255, 254, 0]);
  });

  it('shows PALETTE COLOR through segmented tables (discrete, linear and indirect segments), as pydicom does', async () => {
    const [DISCRETE, LINEAR, INDIRECT] = [0, 1, 2];
    const path = await paletteImage('segmented-palette.dcm', Buffer.from(Array.from({ length: 256 }, (_, i) => i)), {
      entries: 256,
      firstMapped: 0,
      bits: 16,
      segmented: true,
      // A ramp; a V; four steps, the same four again by reference to byte 0, then a ramp up.
      red: words([DISCRETE, 1, 0, LINEAR, 255, 65535]),
      green: words([DISCRETE, 1, 65535, LINEAR, 127, 0, LINEAR, 128, 65535]),
      blue: words([DISCRETE, 4, 0, 16384, 32768, 49152, INDIRECT, 1, 0, 0, LINEAR, 248, 65535]),
    });
    const { result, image } = await rendered(path, {});
    expect(result).toMatchObject({ photometric: 'PALETTE COLOR', window: null });
    // Blue of stored values 4-7: the indirect segment's copy of the first four steps.
    expect([...image.pixels.subarray(4 * 3, 8 * 3)].filter((_, i) => i % 3 === 2)).toEqual([0, 64, 128, 192]);
    expect(maxDifference(image.pixels, await pydicomPaletteRgb(path))).toBe(0);
  });

  it('names what is wrong with a segmented palette: a linear first segment, an indirect one pointing ahead, an unknown type', async () => {
    const cases: Array<[number[], string]> = [
      [[1, 256, 65535], 'starts with a segment that needs an entry before it'],
      // Pointing at itself would repeat forever: only segments before an indirect one may be copied.
      [[0, 1, 0, 2, 1, 6, 0], 'has an indirect segment at byte 6 pointing to byte 6'],
      [[0, 1, 0, 7, 255, 0], 'has a segment of type 7 at byte 6'],
    ];
    for (const [index, [segments, problem]] of cases.entries()) {
      const table = words(segments);
      const palette = { entries: 256, firstMapped: 0, bits: 16 as const, red: table, green: table, blue: table, segmented: true };
      const path = await paletteImage(`bad-segments-${index}.dcm`, Buffer.alloc(256), palette);
      expect(await renderFrame(path, {})).toEqual({ ok: false, reason: `the segmented red palette colour lookup table ${problem}` });
    }
  });

  it('names what it cannot show: a deflated dataset, a frame the image does not have or a file cut short, a palette short of its entries or oversized', async () => {
    expect(await renderFrame(join(CORPUS, 'image_dfl.dcm'), {})).toMatchObject({
      ok: false,
      reason: 'the dataset is deflated, which the viewer does not inflate',
    });
    const table = words([0, 2, 0, 65535]);
    const segmented = await paletteImage('short-segmented-palette.dcm', Buffer.alloc(16), {
      entries: 256,
      firstMapped: 0,
      bits: 16,
      red: table,
      green: table,
      blue: table,
      segmented: true,
    });
    expect(await renderFrame(segmented, {})).toEqual({
      ok: false,
      reason: "the segmented red palette colour lookup table makes 2 entries, not the descriptor's 256",
    });
    // A table larger than 65536 16-bit entries is refused before it is read into memory.
    const huge = Buffer.alloc(2 * 65536 + 2);
    const palette = { entries: 0, firstMapped: 0, bits: 16 as const, red: huge, green: huge, blue: huge };
    const oversized = await paletteImage('oversized-palette.dcm', Buffer.alloc(16), palette);
    expect(await renderFrame(oversized, {})).toEqual({
      ok: false,
      reason: 'the red palette colour lookup table holds 131074 bytes, more than a table can',
    });
    expect(await renderFrame(join(CORPUS, 'rtdose.dcm'), { frame: 15 })).toMatchObject({
      ok: false,
      reason: 'there is no frame 16: the image has 15',
    });
    expect(await renderFrame(join(CORPUS, 'MR_truncated.dcm'), {})).toEqual({
      ok: false,
      reason: 'the file ends 62 bytes before the end of frame 1: it was cut short',
    });
    expect(await renderFrame(join(CORPUS, 'waveform_ecg.dcm'), {})).toMatchObject({
      ok: false,
      reason: 'this instance holds no image (no Pixel Data); what it holds is in its elements',
    });
  });
});

interface ImageFileOptions {
  rows?: number;
  columns?: number;
  bitsAllocated?: 1 | 8;
  frames?: number;
  photometric?: string;
  pixels: Buffer;
  palette?: { entries: number; firstMapped: number; bits: 8 | 16; red: Buffer; green: Buffer; blue: Buffer; segmented?: boolean };
}

/** A secondary capture of `pixels` (16x16 8-bit unless told), explicit VR little endian, written element by element. */
function imageFile(o: ImageFileOptions): Buffer {
  const sopInstanceUid = '1.2.826.0.1.3680043.10.1.7';
  const bits = o.bitsAllocated ?? 8;
  const us = (tag: number, n: number) => explicitLeElement(tag, 'US', usValue(n));
  const elements = [
    explicitLeElement(0x00080016, 'UI', uidValue(SopClass.SecondaryCapture)),
    explicitLeElement(0x00080018, 'UI', uidValue(sopInstanceUid)),
    us(0x00280002, 1),
    explicitLeElement(0x00280004, 'CS', textValue(o.photometric ?? 'MONOCHROME2')),
    ...(o.frames ? [explicitLeElement(0x00280008, 'IS', textValue(String(o.frames)))] : []),
    us(0x00280010, o.rows ?? 16),
    us(0x00280011, o.columns ?? 16),
    us(0x00280100, bits),
    us(0x00280101, bits),
    us(0x00280102, bits - 1),
    us(0x00280103, 0),
  ];
  const p = o.palette;
  if (p) {
    const descriptor = Buffer.from(new Uint16Array([p.entries % 65536, p.firstMapped, p.bits]).buffer);
    for (const tag of [0x00281101, 0x00281102, 0x00281103]) elements.push(explicitLeElement(tag, 'US', descriptor));
    const dataTags = p.segmented ? [0x00281221, 0x00281222, 0x00281223] : [0x00281201, 0x00281202, 0x00281203];
    for (const [i, data] of [p.red, p.green, p.blue].entries()) elements.push(explicitLeElement(dataTags[i]!, 'OW', evenBytes(data)));
  }
  elements.push(explicitLeElement(0x7fe00010, bits === 1 ? 'OB' : 'OW', evenBytes(o.pixels)));
  const meta = buildMetaHeader({ sopClassUid: SopClass.SecondaryCapture, sopInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1' });
  return Buffer.concat([meta, ...elements]);
}

/** A 16x16 PALETTE COLOR image of `pixels` through `palette`, written to the temp folder: its path. */
async function paletteImage(name: string, pixels: Buffer, palette: NonNullable<ImageFileOptions['palette']>): Promise<string> {
  const path = join(tmp.path, name);
  await writeFile(path, imageFile({ photometric: 'PALETTE COLOR', pixels, palette }));
  return path;
}

/** 16-bit words, little endian (as imageFile writes). */
const words = (values: number[]) => Buffer.from(new Uint16Array(values).buffer);

const evenBytes = (b: Buffer) => (b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.alloc(1)]));

/** "1001…" as 1-bit pixels: eight to a byte, the first in the lowest bit. */
function packBits(bits: string): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') out[i >> 3]! |= 1 << (i & 7);
  return out;
}
