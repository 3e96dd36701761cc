/**
 * The viewer's one engine call: read the attributes, read only the bytes of the requested frame
 * (memory bounded by one frame), render to 8 bits and encode a PNG the renderer shows as is.
 */
import { open } from 'node:fs/promises';
import type { RenderedFrame, WindowLevel } from '../api/contract.ts';
import { frameBytes, readImageAttributes } from './image-attributes.ts';
import { isRenderable, renderFramePixels } from './frame-render.ts';
import { encodePng } from './png-encode.ts';

export async function renderFrame(
  path: string,
  request: { frame?: number; window?: WindowLevel; maxSize?: number },
): Promise<RenderedFrame> {
  const attributes = await readImageAttributes(path);
  if (!attributes.ok) return attributes;
  const image = attributes.image;
  const unsupported = isRenderable(image);
  if (unsupported) return { ok: false, reason: unsupported };
  const frame = request.frame ?? 0;
  if (frame < 0 || frame >= image.frames) return { ok: false, reason: `there is no frame ${frame + 1}: the image has ${image.frames}` };
  const size = frameBytes(image);
  if ((frame + 1) * size > image.pixelLength) {
    return {
      ok: false,
      reason: `the pixel data holds ${image.pixelLength} bytes, too few for frame ${frame + 1} of ${image.columns}x${image.rows} at ${image.bitsAllocated} bits`,
    };
  }
  const bytes = await readAt(path, image.pixelOffset + frame * size, size);
  const rendered = renderFramePixels(image, bytes, request.window, request.maxSize);
  return {
    ok: true,
    png: encodePng(rendered.width, rendered.height, rendered.channels, rendered.pixels).toString('base64'),
    width: rendered.width,
    height: rendered.height,
    columns: image.columns,
    rows: image.rows,
    frame,
    frames: image.frames,
    photometric: image.photometric,
    window: rendered.window,
    defaultWindow: rendered.defaultWindow,
    range: rendered.range,
  };
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    if (bytesRead < length) throw new Error(`${path}: the file ends ${length - bytesRead} bytes into the frame at byte ${offset}`);
    return buffer;
  } finally {
    await handle.close();
  }
}
