/**
 * The viewer's one engine call: read the attributes, read only the bytes of the requested frame
 * (memory bounded by one frame; a compressed frame decoded by the transcoder's decoders), render to
 * 8 bits and encode a PNG the renderer shows as is.
 */
import { open } from 'node:fs/promises';
import type { RenderedFrame, WindowLevel } from '../api/contract.ts';
import { transferSyntaxName } from '../dicom/transfer-syntax.ts';
import { FileByteSource } from '../inspect/byte-source.ts';
import { encapsulatedFrames } from '../transcode/encapsulated-frames.ts';
import { decodeNativeFrame, loadCodecs } from '../transcode/frame-decoder.ts';
import { compressedSyntax, decodedPhotometric, type CompressedSyntax } from '../transcode/transcode-syntaxes.ts';
import { frameBytes, frameSpan, readImageAttributes, type ImageAttributes } from './image-attributes.ts';
import { isRenderable, renderFramePixels } from './frame-render.ts';
import { unpackBits, unpackedImage } from './one-bit-pixels.ts';
import { encodePng } from './png-encode.ts';

/**
 * The largest frame the viewer reads or decodes: 256 MiB holds a 8192x8192 16-bit frame (the
 * largest radiographs are about 4300x3500). A file declaring more, whatever its pixel data really
 * holds, must not make the engine allocate gigabytes for a preview.
 */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export async function renderFrame(
  path: string,
  request: { frame?: number; window?: WindowLevel; maxSize?: number },
): Promise<RenderedFrame> {
  const attributes = await readImageAttributes(path);
  if (!attributes.ok) return attributes;
  const stored = attributes.image;
  const compressed = compressedSyntax(stored.transferSyntaxUid);
  // What the frame's pixels look like once read: a compressed frame comes out native, interleaved, little endian.
  const image = compressed ? decodedImage(stored, compressed) : stored;
  if (compressed && stored.bitsAllocated === 1) return { ok: false, reason: 'the viewer does not show compressed 1-bit pixels' };
  const unsupported = isRenderable(image);
  if (unsupported) return { ok: false, reason: unsupported };
  const frame = request.frame ?? 0;
  if (frame < 0 || frame >= image.frames) return { ok: false, reason: `there is no frame ${frame + 1}: the image has ${image.frames}` };
  // 1-bit pixels are read packed and shown unpacked, a byte each: the unpacked frame is what memory holds.
  const shown = image.bitsAllocated === 1 ? unpackedImage(image) : image;
  if (frameBytes(shown) > MAX_FRAME_BYTES)
    return {
      ok: false,
      reason: `a frame of ${image.columns}x${image.rows} at ${image.bitsAllocated} bits is ${Math.ceil(frameBytes(shown) / 2 ** 20)} MiB to show, and the viewer shows frames up to ${MAX_FRAME_BYTES / 2 ** 20} MiB`,
    };
  const read = compressed ? await compressedFrame(path, stored, compressed, frame) : await nativeFrame(path, image, frame);
  if (typeof read === 'string') return { ok: false, reason: read };
  const rendered = renderFramePixels(shown, read, request.window, request.maxSize);
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
    decodedFrom: compressed ? transferSyntaxName(stored.transferSyntaxUid) : null,
    window: rendered.window,
    defaultWindow: rendered.defaultWindow,
    range: rendered.range,
  };
}

function decodedImage(image: ImageAttributes, syntax: CompressedSyntax): ImageAttributes {
  return { ...image, photometric: decodedPhotometric(syntax, image.photometric), planarConfiguration: 0, littleEndian: true };
}

/** The frame's bytes (1-bit pixels: unpacked, one byte each), or why they cannot be read. */
async function nativeFrame(path: string, image: ImageAttributes, frame: number): Promise<Buffer | string> {
  const span = frameSpan(image, frame);
  if (span.offset + span.length > image.pixelLength)
    return `the pixel data holds ${image.pixelLength} bytes, too few for frame ${frame + 1} of ${image.columns}x${image.rows} at ${image.bitsAllocated} bits`;
  const bytes = await readAt(path, image.pixelOffset + span.offset, span.length);
  if (bytes.length < span.length)
    return `the file ends ${span.length - bytes.length} bytes before the end of frame ${frame + 1}: it was cut short`;
  return image.bitsAllocated === 1 ? unpackBits(bytes, span.firstBit, image.rows * image.columns * image.samplesPerPixel) : bytes;
}

/**
 * The frame decoded, or why it cannot be. The fragments before it are read and passed over, one
 * frame at a time; decoding takes the calling thread for as long as the codec needs (up to about a
 * second for a large JPEG 2000 frame): the engine calls this on its preview thread.
 */
async function compressedFrame(path: string, image: ImageAttributes, syntax: CompressedSyntax, frame: number): Promise<Buffer | string> {
  const codecs = await loadCodecs();
  const source = await FileByteSource.open(path, image.pixelOffset);
  const attributes = {
    rows: image.rows,
    columns: image.columns,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    samplesPerPixel: image.samplesPerPixel,
    pixelRepresentation: image.signed ? 1 : 0,
    planarConfiguration: image.planarConfiguration,
    photometric: image.photometric,
  };
  try {
    let index = 0;
    for await (const encoded of encapsulatedFrames(source, { frameCount: image.frames, oneFragmentPerFrame: syntax.decoder === 'rle' })) {
      if (index === frame) return decodeNativeFrame(codecs, syntax, attributes, encoded, { index, of: image.frames });
      index++;
    }
    return `the pixel data holds ${index} frame(s), not frame ${frame + 1}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await source.close();
  }
}

/** Up to `length` bytes from `offset`: fewer where the file ends first. */
async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
