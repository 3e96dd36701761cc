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
  const chunks: [string, Buffer][] = [
    ['IHDR', header],
    ['IDAT', deflateSync(raw, { level })],
    ['IEND', Buffer.alloc(0)],
  ];
  // Written once into the file's buffer: a full frame's IDAT is megabytes, and copying it per chunk
  // and again to join them was a fifth of a large frame's render.
  const png = Buffer.allocUnsafe(SIGNATURE.length + chunks.reduce((sum, [, data]) => sum + 12 + data.length, 0));
  let at = SIGNATURE.copy(png, 0);
  for (const [type, data] of chunks) at = writeChunk(png, at, type, data);
  return png;
}

/** One chunk (length, type, data, CRC of type and data) at `at`; returns where the next starts. */
function writeChunk(png: Buffer, at: number, type: string, data: Buffer): number {
  png.writeUInt32BE(data.length, at);
  png.write(type, at + 4, 'latin1');
  data.copy(png, at + 8);
  png.writeUInt32BE(crc32(png.subarray(at + 4, at + 8 + data.length)), at + 8 + data.length);
  return at + 12 + data.length;
}
