/** DIMSE status codes: their hex form and what they mean, in words for people (PS3.4 Annex B, PS3.7 Annex C). */

export const Status = {
  Success: 0x0000,
  ProcessingFailure: 0x0110,
  SopClassNotSupported: 0x0122,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
} as const;

export function statusHex(status: number): string {
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function describeStatus(status: number): string {
  if (status === 0x0000) return 'Success';
  if (status === 0xb000 || status === 0xb007 || status === 0xb006) return 'Warning: stored with coercion or elements discarded';
  if (status === 0x0107) return 'Warning: attribute list error';
  if (status === 0x0110) return 'Failure: processing failure';
  if (status === 0x0111) return 'Failure: duplicate SOP instance';
  if (status === 0x0117) return 'Failure: invalid object instance';
  if (status === 0x0122) return 'Refused: SOP class not supported';
  if (status === 0x0124) return 'Refused: not authorized';
  if (status === 0x0211) return 'Failure: unrecognized operation';
  if (status === 0x0213) return 'Failure: resource limitation';
  if ((status & 0xff00) === 0xa700) return 'Refused: out of resources';
  if ((status & 0xff00) === 0xa900) return 'Error: data set does not match SOP class';
  if ((status & 0xf000) === 0xc000) return 'Error: cannot understand';
  if ((status & 0xf000) === 0xb000) return 'Warning';
  if (status === 0xfe00) return 'Cancelled';
  if (status === 0xff00 || status === 0xff01) return 'Pending';
  return 'Failure';
}

/** Success and warnings mean the peer has the instance. */
export function isStoredStatus(status: number): boolean {
  return status === 0x0000 || (status & 0xf000) === 0xb000 || status === 0x0107;
}
