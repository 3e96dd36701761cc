/**
 * Which conversions the transcoder makes, and what decoding does to the image attributes.
 * Targets are the four native syntaxes; sources are those plus the compressed syntaxes whose
 * frames dcmjs-codecs' NativeCodecs can decode.
 */
import { TransferSyntax } from '../dicom/transfer-syntax.ts';

export type DecoderKind = 'jpeg' | 'jpegLs' | 'jpeg2000' | 'htJpeg2000' | 'rle';

export interface CompressedSyntax {
  decoder: DecoderKind;
  /** Lossy JPEG (ISO 10918 processes 1, 2 and 4): YBR colour is decoded to RGB, as dcmdjpeg does by default. */
  lossyJpeg: boolean;
}

const COMPRESSED = new Map<string, CompressedSyntax>([
  ['1.2.840.10008.1.2.4.50', { decoder: 'jpeg', lossyJpeg: true }],
  ['1.2.840.10008.1.2.4.51', { decoder: 'jpeg', lossyJpeg: true }],
  ['1.2.840.10008.1.2.4.57', { decoder: 'jpeg', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.70', { decoder: 'jpeg', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.80', { decoder: 'jpegLs', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.81', { decoder: 'jpegLs', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.90', { decoder: 'jpeg2000', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.91', { decoder: 'jpeg2000', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.201', { decoder: 'htJpeg2000', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.202', { decoder: 'htJpeg2000', lossyJpeg: false }],
  ['1.2.840.10008.1.2.4.203', { decoder: 'htJpeg2000', lossyJpeg: false }],
  ['1.2.840.10008.1.2.5', { decoder: 'rle', lossyJpeg: false }],
]);

export const NATIVE_SYNTAXES: readonly string[] = [
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
];

export const COMPRESSED_SYNTAXES: readonly string[] = [...COMPRESSED.keys()];

export function compressedSyntax(uid: string): CompressedSyntax | undefined {
  return COMPRESSED.get(uid);
}

export function isNative(uid: string): boolean {
  return NATIVE_SYNTAXES.includes(uid);
}

/** Whether `transcodeDataset` converts a dataset in `from` to `to`. */
export function canTranscode(from: string, to: string): boolean {
  if (!isNative(to)) return false;
  return isNative(from) || COMPRESSED.has(from);
}

/**
 * The Photometric Interpretation of the decoded frames: lossy JPEG in YBR_FULL or YBR_FULL_422
 * is decoded to RGB (the colour transform is part of the JPEG stream, PS3.5 §8.2.1); JPEG 2000's
 * YBR_ICT and YBR_RCT are undone by the decoder's inverse component transform (§8.2.4). Every
 * other interpretation comes out as it went in.
 */
export function decodedPhotometric(syntax: CompressedSyntax, photometric: string): string {
  if (syntax.lossyJpeg && (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422')) return 'RGB';
  if ((syntax.decoder === 'jpeg2000' || syntax.decoder === 'htJpeg2000') && (photometric === 'YBR_ICT' || photometric === 'YBR_RCT'))
    return 'RGB';
  return photometric;
}
