/** Transfer syntax facts the engine needs: how a dataset in a given syntax is encoded. */

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;

export interface DatasetEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  /** Pixel data in fragments (every syntax that is not one of the four native ones). */
  encapsulated: boolean;
}

export function encodingOf(transferSyntaxUid: string): DatasetEncoding {
  switch (transferSyntaxUid) {
    case TransferSyntax.ImplicitVRLittleEndian:
      return { explicitVr: false, littleEndian: true, deflated: false, encapsulated: false };
    case TransferSyntax.ExplicitVRLittleEndian:
      return { explicitVr: true, littleEndian: true, deflated: false, encapsulated: false };
    case TransferSyntax.DeflatedExplicitVRLittleEndian:
      return { explicitVr: true, littleEndian: true, deflated: true, encapsulated: false };
    case TransferSyntax.ExplicitVRBigEndian:
      return { explicitVr: true, littleEndian: false, deflated: false, encapsulated: false };
    default:
      // Every other standard syntax (JPEG family, JPEG-LS, JPEG 2000, RLE, MPEG, HTJ2K, ...)
      // is explicit VR little endian with encapsulated pixel data.
      return { explicitVr: true, littleEndian: true, deflated: false, encapsulated: true };
  }
}

/** Each syntax's name as PS3.6 gives it, and a shorter one for a table column where it differs. */
const NAMES: Record<string, { name: string; short?: string }> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian' },
  '1.2.840.10008.1.2.1.98': { name: 'Encapsulated Uncompressed Explicit VR Little Endian' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', short: 'JPEG Baseline' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', short: 'JPEG Extended' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', short: 'JPEG Lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction (Process 14 SV1)', short: 'JPEG Lossless SV1' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)', short: 'JPEG 2000 Lossless' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile / Main Level', short: 'MPEG-2 Main Profile' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1', short: 'MPEG-4 AVC/H.264 High Profile' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 (Lossless Only)', short: 'HTJ2K Lossless' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', short: 'HTJ2K' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless' },
};

/** "Explicit VR Little Endian (1.2.840.10008.1.2.1)", for messages a person reads. */
export function describeTransferSyntax(uid: string): string {
  const known = NAMES[uid];
  return known ? `${known.name} (${uid})` : uid;
}

/**
 * "JPEG Baseline" for a table column (the renderer's, through the contract), else the UID as it
 * came: never a guess.
 */
export function transferSyntaxName(uid: string): string {
  const known = NAMES[uid];
  return known ? (known.short ?? known.name) : uid;
}
