/**
 * The committed icons in resources/icons are what scripts/build-icons.ts draws, and each file is
 * a well-formed image of the size its name (or its container entry) claims.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ICON_SIZES, ICONS_DIR, iconSvg, renderIcon } from '../../../scripts/build-icons.ts';

interface DecodedPng {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes the PNGs build-icons writes (8-bit RGBA, no interlace), checking signature and every chunk CRC. */
function decodePng(file: Buffer, name: string): DecodedPng {
  expect(file.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${name}: PNG signature`).toBe(true);
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('latin1', offset + 4, offset + 8);
    const data = file.subarray(offset + 8, offset + 8 + length);
    expect(file.readUInt32BE(offset + 8 + length), `${name}: CRC of ${type}`).toBe(crc32(file.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8, 13)], `${name}: 8-bit RGBA, not interlaced`).toEqual([8, 6, 0, 0, 0]);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4 + 1;
  expect(raw.length, `${name}: image data size`).toBe(stride * height);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * stride], `${name}: row ${y} filter`).toBe(0);
    rgba.set(raw.subarray(y * stride + 1, (y + 1) * stride), y * width * 4);
  }
  return { width, height, rgba };
}

const pixel = (png: DecodedPng, x: number, y: number) => [...png.rgba.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)];

describe('the app icons', () => {
  it('has a PNG for every size from 16 to 1024 whose pixels are what the script draws', async () => {
    for (const size of ICON_SIZES) {
      const name = `${size}x${size}.png`;
      const png = decodePng(await readFile(join(ICONS_DIR, name)), name);
      expect([png.width, png.height], name).toEqual([size, size]);
      // Within one step of rounding, so a last-bit difference in Math.hypot between Node versions does not matter.
      const drawn = renderIcon(size);
      let worst = 0;
      for (let i = 0; i < drawn.length; i++) worst = Math.max(worst, Math.abs(drawn[i]! - png.rgba[i]!));
      expect(worst, `${name} is stale: run node scripts/build-icons.ts`).toBeLessThanOrEqual(1);
    }
  });

  it('draws a rounded, opaque tile with the gateway and arrow on it, transparent in the corners', async () => {
    const png = decodePng(await readFile(join(ICONS_DIR, '256x256.png')), '256x256.png');
    expect(pixel(png, 0, 0)[3]).toBe(0);
    expect(pixel(png, 255, 255)[3]).toBe(0);
    expect(pixel(png, 128, 20)[3]).toBe(255);
    const colours = new Set<string>();
    for (let i = 0; i < png.rgba.length; i += 4)
      if (png.rgba[i + 3] === 255) colours.add(`${png.rgba[i]},${png.rgba[i + 1]},${png.rgba[i + 2]}`);
    expect(colours).toContain('255,255,255'); // the arch
    expect(colours).toContain('99,230,190'); // the arrow
  });

  it('has a Windows .ico whose entries are PNGs of the sizes they declare, up to 256', async () => {
    const ico = await readFile(join(ICONS_DIR, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      const declared = ico.readUInt8(entry) || 256;
      const png = decodePng(
        ico.subarray(ico.readUInt32LE(entry + 12), ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8)),
        `ico entry ${i}`,
      );
      expect(png.width).toBe(declared);
      sizes.push(declared);
    }
    expect(sizes).toContain(16);
    expect(sizes).toContain(256);
  });

  it('has a macOS .icns whose elements are PNGs of the sizes their types mean, up to 1024', async () => {
    const icns = await readFile(join(ICONS_DIR, 'icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const expected: Record<string, number> = { ic11: 32, ic12: 64, ic07: 128, ic13: 256, ic08: 256, ic14: 512, ic09: 512, ic10: 1024 };
    const found: Record<string, number> = {};
    for (let offset = 8; offset < icns.length;) {
      const type = icns.toString('latin1', offset, offset + 4);
      const length = icns.readUInt32BE(offset + 4);
      found[type] = decodePng(icns.subarray(offset + 8, offset + length), `icns ${type}`).width;
      offset += length;
    }
    expect(found).toEqual(expected);
  });

  it('keeps the drawing as an SVG, the same one the script writes', async () => {
    const svg = await readFile(join(ICONS_DIR, 'icon.svg'), 'utf8');
    expect(svg).toBe(iconSvg());
    expect(svg).toContain('viewBox="0 0 1024 1024"');
  });
});
