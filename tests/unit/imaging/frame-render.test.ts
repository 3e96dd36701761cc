import { describe, expect, it } from 'vitest';
import { renderFramePixels, storedValues, windowed } from '../../../src-main/imaging/frame-render.ts';
import type { ImageAttributes } from '../../../src-main/imaging/image-attributes.ts';

function image(over: Partial<ImageAttributes>): ImageAttributes {
  return {
    rows: 1,
    columns: 4,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    planarConfiguration: 0,
    frames: 1,
    bitsAllocated: 16,
    bitsStored: 16,
    highBit: 15,
    signed: false,
    littleEndian: true,
    rescaleSlope: 1,
    rescaleIntercept: 0,
    window: undefined,
    pixelOffset: 0,
    pixelLength: 8,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    ...over,
  };
}

function words(values: number[], le = true): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => (le ? b.writeUInt16LE(v & 0xffff, i * 2) : b.writeUInt16BE(v & 0xffff, i * 2)));
  return b;
}

describe('frame rendering', () => {
  it('unpacks 12 stored bits of 16, sign-extending signed pixels and ignoring bits above the high bit', () => {
    const im = image({ bitsStored: 12, highBit: 11, signed: true });
    expect(Array.from(storedValues(im, words([0x0fff, 0x0800, 0xf7ff, 0x07ff])))).toEqual([-1, -2048, 2047, 2047]);
    expect(Array.from(storedValues({ ...im, signed: false }, words([0x0fff, 0x0800, 0xf000, 0x1001])))).toEqual([4095, 2048, 0, 1]);
  });

  it('reads samples with every bit stored as they are, signed or not, 8 or 16 bits, either byte order', () => {
    const values = [0, 1, 0x7fff, 0x8000, 0xffff];
    expect(Array.from(storedValues(image({ columns: 5 }), words(values)))).toEqual(values);
    expect(Array.from(storedValues(image({ columns: 5, signed: true }), words(values)))).toEqual([0, 1, 32767, -32768, -1]);
    expect(Array.from(storedValues(image({ columns: 5, signed: true, littleEndian: false }), words(values, false)))).toEqual([
      0, 1, 32767, -32768, -1,
    ]);
    const eight = image({ columns: 4, bitsAllocated: 8, bitsStored: 8, highBit: 7 });
    expect(Array.from(storedValues(eight, Buffer.from([0, 127, 128, 255])))).toEqual([0, 127, 128, 255]);
    expect(Array.from(storedValues({ ...eight, signed: true }, Buffer.from([0, 127, 128, 255])))).toEqual([0, 127, -128, -1]);
  });

  it('reads 12 stored bits of 16 as they are when no sample has a bit above them, and from an odd offset', () => {
    const im = image({ bitsStored: 12, highBit: 11 });
    expect(Array.from(storedValues(im, words([0, 1, 0x0800, 0x0fff])))).toEqual([0, 1, 2048, 4095]);
    const odd = Buffer.concat([Buffer.alloc(1), words([5, 4095, 7, 0])]).subarray(1);
    expect(Array.from(storedValues(im, odd))).toEqual([5, 4095, 7, 0]);
  });

  it('reads 32-bit samples whole or unpacked, signed or not, either byte order, from any offset', () => {
    const dwords = (values: number[], le = true) => {
      const b = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => (le ? b.writeUInt32LE(v >>> 0, i * 4) : b.writeUInt32BE(v >>> 0, i * 4)));
      return b;
    };
    const whole = image({ bitsAllocated: 32, bitsStored: 32, highBit: 31 });
    const values = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
    expect(Array.from(storedValues({ ...whole, columns: 5 }, dwords(values)))).toEqual(values);
    expect(Array.from(storedValues({ ...whole, columns: 5, signed: true }, dwords(values)))).toEqual([0, 1, 2147483647, -2147483648, -1]);
    expect(Array.from(storedValues({ ...whole, columns: 5, littleEndian: false }, dwords(values, false)))).toEqual(values);
    const odd = Buffer.concat([Buffer.alloc(1), dwords(values)]).subarray(1);
    expect(Array.from(storedValues({ ...whole, columns: 5 }, odd))).toEqual(values);
    // 24 bits stored from bit 4: the bits around them are dropped, the sign taken from bit 27.
    const packed = image({ columns: 3, bitsAllocated: 32, bitsStored: 24, highBit: 27 });
    const raw = dwords([0xf0000010, 0x0ffffff0, 0x08000000]);
    expect(Array.from(storedValues(packed, raw))).toEqual([1, 0xffffff, 0x800000]);
    expect(Array.from(storedValues({ ...packed, signed: true }, raw))).toEqual([1, -1, -0x800000]);
  });

  it('applies the PS3.3 linear window: below, inside and above', () => {
    const w = { center: 100, width: 201 };
    expect(windowed(-1, w)).toBe(0);
    expect(windowed(100, w)).toBe(Math.round(((100 - 99.5) / 200 + 0.5) * 255));
    expect(windowed(200, w)).toBe(255);
  });

  it('rescales before windowing and takes the default window from the data range when the file has none', () => {
    const out = renderFramePixels(
      image({ signed: true, rescaleSlope: 2, rescaleIntercept: -1000 }),
      words([0, 250, 500, 1000]),
      undefined,
      undefined,
    );
    expect(out.range).toEqual({ min: -1000, max: 1000 });
    expect(out.defaultWindow).toEqual({ center: 0, width: 2000 });
    expect(Array.from(out.pixels)).toEqual([0, 64, 128, 255]);
  });

  it('inverts MONOCHROME1 and reads 8-bit and big endian pixels', () => {
    const window = { center: 128, width: 256 };
    const mono1 = renderFramePixels(
      image({ photometric: 'MONOCHROME1', bitsAllocated: 8, bitsStored: 8, highBit: 7 }),
      Buffer.from([0, 255, 10, 20]),
      window,
      undefined,
    );
    expect(Array.from(mono1.pixels)).toEqual([255, 0, 245, 235]);
    const be = renderFramePixels(image({ littleEndian: false }), words([0, 100, 200, 300], false), undefined, undefined);
    const le = renderFramePixels(image({}), words([0, 100, 200, 300]), undefined, undefined);
    expect(Array.from(be.pixels)).toEqual(Array.from(le.pixels));
  });

  it('reads planar and interleaved RGB alike', () => {
    const rgb = image({ samplesPerPixel: 3, photometric: 'RGB', bitsAllocated: 8, bitsStored: 8, highBit: 7, columns: 2 });
    const interleaved = renderFramePixels(rgb, Buffer.from([1, 2, 3, 4, 5, 6]), undefined, undefined);
    const planar = renderFramePixels({ ...rgb, planarConfiguration: 1 }, Buffer.from([1, 4, 2, 5, 3, 6]), undefined, undefined);
    expect(Array.from(interleaved.pixels)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(planar.pixels)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
