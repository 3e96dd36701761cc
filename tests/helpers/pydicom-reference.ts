/**
 * pydicom (Debian's python3-pydicom, with numpy, so Debian's own python3) as an independent reference where DCMTK has none:
 * DCMTK 3.6.7 ignores segmented palettes ("segmented palettes not yet supported").
 */
import { run } from './dcmtk.ts';

const PALETTE_RGB = `
import sys, numpy, pydicom
try:
    from pydicom.pixels import apply_color_lut
except ImportError:
    from pydicom.pixel_data_handlers.util import apply_color_lut
ds = pydicom.dcmread(sys.argv[1])
rgb = apply_color_lut(ds.pixel_array, ds)
shift = 8 if rgb.dtype.itemsize == 2 else 0
sys.stdout.write((rgb >> shift).astype(numpy.uint8).tobytes().hex())
`;

/** The 8-bit RGB pixels pydicom shows a PALETTE COLOR file as, row by row. */
export async function pydicomPaletteRgb(path: string): Promise<Buffer> {
  const result = await run('/usr/bin/python3', ['-c', PALETTE_RGB, path]);
  if (result.code !== 0) throw new Error(`pydicom could not apply the palette of ${path}: ${result.stderr.trim()}`);
  return Buffer.from(result.stdout.trim(), 'hex');
}
