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

const NAMES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction (Process 14 SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

/** "Explicit VR Little Endian (1.2.840.10008.1.2.1)", for messages a person reads. */
export function describeTransferSyntax(uid: string): string {
  const name = NAMES[uid];
  return name ? `${name} (${uid})` : uid;
}
