/**
 * Decodes one compressed frame with dcmjs-codecs' NativeCodecs (libjpeg-turbo 8/12/16-bit,
 * CharLS, OpenJPEG, OpenJPH and an RLE decoder, built to WebAssembly). Only the frame-level
 * decoders are used: dcmjs-codecs' Transcoder works on a whole dcmjs dataset, which means the
 * whole instance in memory, and it drops private elements and rewrites the meta group.
 */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { TranscodeError } from './transcode-error.ts';
import type { CompressedSyntax, DecoderKind } from './transcode-syntaxes.ts';

export interface ImageAttributes {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  photometric: string;
}

export interface DecodedFrame {
  pixels: Buffer;
  /** 0 interleaved (R1G1B1R2...), 1 by plane (R1R2...G1G2...B1B2...). */
  planarConfiguration: number;
}

interface CodecContext {
  getDecodedBuffer(): Uint8Array | undefined;
  getPlanarConfiguration(): number | undefined;
}
interface CodecsModule {
  Context: new (attrs: Record<string, unknown>) => CodecContext;
  NativeCodecs: Record<string, unknown> & {
    initializeAsync(opts: { webAssemblyModulePathOrUrl: string; logCodecsInfo?: boolean; logCodecsTrace?: boolean }): Promise<void>;
    isInitialized(): boolean;
  };
}
type DecodeFunction = (context: CodecContext, parameters: Record<string, unknown>) => CodecContext;

const require = createRequire(import.meta.url);
const FUNCTIONS: Record<DecoderKind, string> = {
  jpeg: 'decodeJpeg',
  jpegLs: 'decodeJpegLs',
  jpeg2000: 'decodeJpeg2000',
  htJpeg2000: 'decodeHtJpeg2000',
  rle: 'decodeRle',
};

let loading: Promise<CodecsModule> | undefined;

/** The codecs, compiled once per process (about 0.4 s) on first use. */
export function loadCodecs(): Promise<CodecsModule> {
  loading ??= (async () => {
    const modulePath = require.resolve('dcmjs-codecs');
    const codecs = require(modulePath) as CodecsModule;
    if (!codecs.NativeCodecs.isInitialized()) {
      await codecs.NativeCodecs.initializeAsync({ webAssemblyModulePathOrUrl: join(dirname(modulePath), 'dcmjs-native-codecs.wasm') });
    }
    return codecs;
  })();
  return loading;
}

export function decodeFrame(codecs: CodecsModule, syntax: CompressedSyntax, image: ImageAttributes, encoded: Buffer): DecodedFrame {
  const context = new codecs.Context({
    width: image.columns,
    height: image.rows,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    samplesPerPixel: image.samplesPerPixel,
    pixelRepresentation: image.pixelRepresentation,
    planarConfiguration: image.planarConfiguration,
    photometricInterpretation: image.photometric,
    encodedBuffer: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength),
  });
  // Only lossy JPEG is colour-converted (YBR to RGB), matching decodedPhotometric().
  const parameters =
    syntax.decoder === 'jpeg' ? { convertColorspaceToRgb: syntax.lossyJpeg && image.photometric.startsWith('YBR_FULL') } : {};
  const decode = codecs.NativeCodecs[FUNCTIONS[syntax.decoder]] as DecodeFunction;
  const decoded = decode.call(codecs.NativeCodecs, context, parameters);
  const pixels = decoded.getDecodedBuffer();
  if (!pixels) throw new Error('the decoder returned no pixels');
  // A copy: the view may point into WebAssembly memory that the next decode reuses.
  return { pixels: Buffer.from(pixels), planarConfiguration: decoded.getPlanarConfiguration() ?? 0 };
}

/**
 * One compressed frame as native pixels: samples interleaved, little endian, exactly the frame's
 * size (a decoder's pad byte after an odd length dropped). Throws TranscodeError naming the frame.
 * The transcoder and the viewer's preview both decode through here.
 */
export function decodeNativeFrame(
  codecs: CodecsModule,
  syntax: CompressedSyntax,
  image: ImageAttributes,
  encoded: Buffer,
  frame: { index: number; of: number },
): Buffer {
  const bytesPerSample = image.bitsAllocated / 8;
  const frameBytes = image.rows * image.columns * image.samplesPerPixel * bytesPerSample;
  let decoded;
  try {
    decoded = decodeFrame(codecs, syntax, image, encoded);
  } catch (err) {
    throw new TranscodeError(
      `frame ${frame.index + 1} of ${frame.of} cannot be decoded (${(err instanceof Error ? err.message : String(err)).trim()})`,
    );
  }
  let pixels =
    decoded.planarConfiguration === 1 && image.samplesPerPixel > 1
      ? interleave(decoded.pixels, image.samplesPerPixel, bytesPerSample)
      : decoded.pixels;
  if (pixels.length === frameBytes + 1 && frameBytes % 2 === 1) pixels = pixels.subarray(0, frameBytes);
  if (pixels.length !== frameBytes)
    throw new TranscodeError(
      `frame ${frame.index + 1} decoded to ${pixels.length} bytes, ${frameBytes} expected (${image.rows}x${image.columns}, ${image.samplesPerPixel} sample(s) of ${image.bitsAllocated} bits)`,
    );
  return pixels;
}

/** By-plane samples to interleaved, for a decoder that returns planes (each sample `bytesPerSample` wide). */
export function interleave(planar: Buffer, samplesPerPixel: number, bytesPerSample: number): Buffer {
  const pixels = planar.length / (samplesPerPixel * bytesPerSample);
  const out = Buffer.allocUnsafe(planar.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    const plane = s * pixels * bytesPerSample;
    for (let p = 0; p < pixels; p++) {
      const from = plane + p * bytesPerSample;
      const to = (p * samplesPerPixel + s) * bytesPerSample;
      for (let b = 0; b < bytesPerSample; b++) out[to + b] = planar[from + b]!;
    }
  }
  return out;
}
