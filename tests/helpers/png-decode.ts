/** Decodes the PNGs the engine writes (8-bit grey or RGB, filter 0, no interlace) back to pixels, to compare with a reference. */
import { inflateSync } from 'node:zlib';

export function decodePng(png: Buffer): { width: number; height: number; channels: 1 | 3; pixels: Buffer } {
  let at = 8;
  let width = 0;
  let height = 0;
  let channels: 1 | 3 = 1;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 2 ? 3 : 1;
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rowBytes = width * channels;
  const pixels = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (rowBytes + 1)] !== 0) throw new Error(`row ${y} uses PNG filter ${raw[y * (rowBytes + 1)]}`);
    raw.copy(pixels, y * rowBytes, y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
  }
  return { width, height, channels, pixels };
}

/** Pixels of a binary PGM (P5) or PPM (P6) as DCMTK's dcmj2pnm writes them. */
export function decodePnm(file: Buffer): { width: number; height: number; channels: 1 | 3; pixels: Buffer } {
  const header = /^(P5|P6)\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(file.toString('latin1', 0, 64));
  if (!header) throw new Error('not a binary PGM/PPM');
  return {
    width: Number(header[2]),
    height: Number(header[3]),
    channels: header[1] === 'P6' ? 3 : 1,
    pixels: file.subarray(header[0].length),
  };
}
