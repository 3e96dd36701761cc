/**
 * A minimal PNG encoder (8-bit grey, RGB or RGBA, no interlace) on node:zlib: the viewer needs
 * only lossless 8-bit images, and this keeps a dependency out of the engine. The icon build
 * (scripts/build-icons.ts) writes its RGBA icons with it too.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG colour type by channels: grey, RGB, RGBA. */
const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** `level`: zlib's; the viewer favours speed, a build that writes files once favours size. */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, pixels: Uint8Array, level = 6): Buffer {
  const rowBytes = width * channels;
  if (pixels.length !== rowBytes * height) throw new RangeError(`PNG: ${pixels.length} bytes for ${width}x${height}x${channels}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = COLOUR_TYPE[channels];
  // Each scanline starts with its filter type; 0 (none) keeps encoding a straight copy.
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
