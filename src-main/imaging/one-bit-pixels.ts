/**
 * 1-bit pixels (binary segmentations): eight to a byte, the first in the lowest bit, and frames one
 * after another without padding, so a frame may start inside a byte (image-attributes.ts,
 * frameSpan). They are shown as an 8-bit image of 0s and 1s, windowed so 0 is black and 1 white.
 */
import type { ImageAttributes } from './image-attributes.ts';

/** One byte (0 or 1) per pixel. */
export function unpackBits(bytes: Buffer, firstBit: number, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

/** The image as its unpacked frames read: 8 bits allocated, 1 stored; the full range 0..1 unless the file gives a window. */
export function unpackedImage(image: ImageAttributes): ImageAttributes {
  return { ...image, bitsAllocated: 8, bitsStored: 1, highBit: 0, signed: false, window: image.window ?? { center: 0.5, width: 1 } };
}
