/**
 * Draws the app icon and writes every file the installers need into resources/icons:
 * icon.svg (the drawing), NxN.png for 16..1024 (Linux, and the window icon), icon.ico (Windows),
 * icon.icns (macOS).
 *
 * The drawing is a short list of shapes (a rounded square, round-capped strokes, an arc). The SVG
 * is written from that list, and the PNGs are rasterized from the same list here, with signed
 * distance functions for exact anti-aliased edges, so no SVG renderer or image tool has to be
 * installed anywhere. Output is deterministic: re-running it rewrites identical files.
 *
 *   node scripts/build-icons.ts [OUTDIR]    (default resources/icons)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../src-main/imaging/png-encode.ts';

export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, by pixel size (the @2x types reuse the larger PNGs). */
const ICNS_TYPES: [string, number][] = [
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];

const CANVAS = 1024;
type Rgb = [number, number, number];
type Point = [number, number];

/** The background gradient, top to bottom: a clinical blue. */
const GRADIENT: { top: Rgb; bottom: Rgb } = { top: [0x1c, 0x7e, 0xd6], bottom: [0x0b, 0x3d, 0x6e] };
const WHITE: Rgb = [0xff, 0xff, 0xff];
const MINT: Rgb = [0x63, 0xe6, 0xbe];

type Paint = Rgb | 'background';
type Shape =
  | { kind: 'roundedRect'; x: number; y: number; width: number; height: number; radius: number; paint: Paint }
  | { kind: 'line'; from: Point; to: Point; width: number; paint: Paint }
  | { kind: 'upperArc'; center: Point; radius: number; width: number; paint: Paint };

/**
 * The icon: a gateway (a white arch on two pillars) with an arrow passing through it. The arrow
 * is first cut out of the arch with a band of background, so it reads as in front at any size.
 */
const ARROW: Shape[] = [
  { kind: 'line', from: [190, 650], to: [812, 650], width: 96, paint: MINT },
  { kind: 'line', from: [812, 650], to: [680, 518], width: 96, paint: MINT },
  { kind: 'line', from: [812, 650], to: [680, 782], width: 96, paint: MINT },
];
const SHAPES: Shape[] = [
  { kind: 'roundedRect', x: 48, y: 48, width: 928, height: 928, radius: 208, paint: 'background' },
  { kind: 'upperArc', center: [512, 440], radius: 250, width: 104, paint: WHITE },
  { kind: 'line', from: [262, 440], to: [262, 820], width: 104, paint: WHITE },
  { kind: 'line', from: [762, 440], to: [762, 820], width: 104, paint: WHITE },
  ...ARROW.map((s): Shape => ({ ...s, width: (s as { width: number }).width + 56, paint: 'background' })),
  ...ARROW,
];

function gradientAt(y: number): Rgb {
  const t = Math.min(1, Math.max(0, (y - 48) / 928));
  return [0, 1, 2].map((i) => GRADIENT.top[i]! + (GRADIENT.bottom[i]! - GRADIENT.top[i]!) * t) as Rgb;
}

/** Signed distance (canvas units) from p to the shape's edge: negative inside. */
function distance(shape: Shape, px: number, py: number): number {
  switch (shape.kind) {
    case 'roundedRect': {
      const hx = shape.width / 2 - shape.radius;
      const hy = shape.height / 2 - shape.radius;
      const qx = Math.abs(px - (shape.x + shape.width / 2)) - hx;
      const qy = Math.abs(py - (shape.y + shape.height / 2)) - hy;
      return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - shape.radius;
    }
    case 'line': {
      const [ax, ay] = shape.from;
      const [bx, by] = shape.to;
      const dx = bx - ax;
      const dy = by - ay;
      const t = Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
      return Math.hypot(px - (ax + t * dx), py - (ay + t * dy)) - shape.width / 2;
    }
    case 'upperArc': {
      const [cx, cy] = shape.center;
      if (py <= cy) return Math.abs(Math.hypot(px - cx, py - cy) - shape.radius) - shape.width / 2;
      // Below the centre line the arc has ended: distance to its (round-capped) ends.
      return Math.min(Math.hypot(px - (cx - shape.radius), py - cy), Math.hypot(px - (cx + shape.radius), py - cy)) - shape.width / 2;
    }
  }
}

/** RGBA pixels (straight alpha) of the icon at `size` x `size`. */
export function renderIcon(size: number): Uint8Array {
  const scale = CANVAS / size;
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Sample at the pixel centre; coverage from the distance in pixels gives a 1-pixel-wide ramp.
      const cx = (x + 0.5) * scale;
      const cy = (y + 0.5) * scale;
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const shape of SHAPES) {
        const coverage = Math.min(1, Math.max(0, 0.5 - distance(shape, cx, cy) / scale));
        if (coverage === 0) continue;
        const [sr, sg, sb] = shape.paint === 'background' ? gradientAt(cy) : shape.paint;
        // Porter-Duff "over", premultiplied while compositing.
        r = sr * coverage + r * (1 - coverage);
        g = sg * coverage + g * (1 - coverage);
        b = sb * coverage + b * (1 - coverage);
        a = coverage + a * (1 - coverage);
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round(a * 255);
      }
    }
  }
  return out;
}

/** The same drawing as an SVG document. */
export function iconSvg(): string {
  const paint = (p: Paint) => (p === 'background' ? 'url(#bg)' : `#${p.map((c) => c.toString(16).padStart(2, '0')).join('')}`);
  const elements = SHAPES.map((s) => {
    switch (s.kind) {
      case 'roundedRect':
        return `<rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" rx="${s.radius}" fill="${paint(s.paint)}"/>`;
      case 'line':
        return `<line x1="${s.from[0]}" y1="${s.from[1]}" x2="${s.to[0]}" y2="${s.to[1]}" stroke="${paint(s.paint)}" stroke-width="${s.width}" stroke-linecap="round"/>`;
      case 'upperArc': {
        const [cx, cy] = s.center;
        return `<path d="M ${cx - s.radius} ${cy} A ${s.radius} ${s.radius} 0 0 1 ${cx + s.radius} ${cy}" fill="none" stroke="${paint(s.paint)}" stroke-width="${s.width}" stroke-linecap="round"/>`;
      }
    }
  });
  const hex = (c: Rgb) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CANVAS}" height="${CANVAS}" viewBox="0 0 ${CANVAS} ${CANVAS}">`,
    '  <title>DICOM Gateway</title>',
    '  <defs>',
    `    <linearGradient id="bg" gradientUnits="userSpaceOnUse" x1="0" y1="48" x2="0" y2="976">`,
    `      <stop offset="0" stop-color="${hex(GRADIENT.top)}"/>`,
    `      <stop offset="1" stop-color="${hex(GRADIENT.bottom)}"/>`,
    '    </linearGradient>',
    '  </defs>',
    ...elements.map((e) => `  ${e}`),
    '</svg>',
    '',
  ].join('\n');
}

/** A Windows .ico holding PNG images (supported since Windows Vista). */
export function buildIco(pngs: Map<number, Buffer>, sizes: number[] = ICO_SIZES): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type 1: icon
  header.writeUInt16LE(sizes.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * sizes.length;
  for (const size of sizes) {
    const png = pngs.get(size)!;
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // 0 means 256
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...sizes.map((s) => pngs.get(s)!)]);
}

/** A macOS .icns whose elements are PNG images. */
export function buildIcns(pngs: Map<number, Buffer>): Buffer {
  const elements = ICNS_TYPES.map(([type, size]) => {
    const png = pngs.get(size)!;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + elements.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

export async function writeIcons(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const pngs = new Map<number, Buffer>();
  const written: string[] = [];
  const put = async (name: string, data: string | Buffer) => {
    await writeFile(join(outDir, name), data);
    written.push(name);
  };
  await put('icon.svg', iconSvg());
  for (const size of ICON_SIZES) {
    const png = encodePng(size, size, 4, renderIcon(size), 9);
    pngs.set(size, png);
    await put(`${size}x${size}.png`, png);
  }
  await put('icon.ico', buildIco(pngs));
  await put('icon.icns', buildIcns(pngs));
  return written;
}

export const ICONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');

if (import.meta.main) {
  const outDir = process.argv[2] !== undefined ? resolve(process.argv[2]) : ICONS_DIR;
  const written = await writeIcons(outDir);
  process.stdout.write(`wrote ${written.length} icon files into ${outDir}\n`);
}
