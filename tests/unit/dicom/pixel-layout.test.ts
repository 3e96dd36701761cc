/** The Image Pixel attributes as the walker and the transcoder read them from raw values. */
import { describe, expect, it } from 'vitest';
import {
  BITS_ALLOCATED,
  COLUMNS,
  isPixelLayoutTag,
  notePixelLayout,
  NUMBER_OF_FRAMES,
  PHOTOMETRIC_INTERPRETATION,
  ROWS,
  type PixelLayout,
} from '../../../src-main/dicom/pixel-layout.ts';

const us = (n: number, littleEndian: boolean) => {
  const b = Buffer.alloc(2);
  if (littleEndian) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
};

describe('notePixelLayout', () => {
  it('reads US values in the dataset’s byte order', () => {
    const layout: PixelLayout = {};
    notePixelLayout(layout, ROWS, us(512, true), true);
    notePixelLayout(layout, COLUMNS, us(300, false), false);
    notePixelLayout(layout, BITS_ALLOCATED, Buffer.from([0x10]), true);
    expect(layout).toEqual({ rows: 512, columns: 300, bitsAllocated: undefined });
  });

  it('reads Photometric Interpretation without its padding and Number of Frames as a number, or undefined when it is none', () => {
    const layout: PixelLayout = {};
    notePixelLayout(layout, PHOTOMETRIC_INTERPRETATION, Buffer.from('RGB\0', 'latin1'), true);
    notePixelLayout(layout, NUMBER_OF_FRAMES, Buffer.from('12', 'latin1'), true);
    expect(layout).toEqual({ photometric: 'RGB', frames: 12 });
    notePixelLayout(layout, NUMBER_OF_FRAMES, Buffer.from('  ', 'latin1'), true);
    expect(layout.frames).toBeUndefined();
  });

  it('leaves every other element alone', () => {
    const layout: PixelLayout = {};
    notePixelLayout(layout, 0x00100010, Buffer.from('DOE^JANE'), true);
    expect(layout).toEqual({});
    expect(isPixelLayoutTag(0x00100010)).toBe(false);
    expect([ROWS, PHOTOMETRIC_INTERPRETATION, NUMBER_OF_FRAMES].every(isPixelLayoutTag)).toBe(true);
  });
});
