/** Which abstract syntaxes the SCP accepts. Kept free of dcmjs-dimse: the receive path loads this. */

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/** Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (every one dcmjs-dimse lists does too). */
export function isStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.5.1.4.1.1.');
}

/** Query/retrieve, worklist, print and other non-storage services the gateway does not offer. */
export function isKnownNonStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.') && !isStorageSopClass(uid) && uid !== VERIFICATION_SOP_CLASS;
}
