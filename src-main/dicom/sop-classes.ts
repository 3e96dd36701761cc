/** Which abstract syntaxes the SCP accepts. */
import { constants } from './dimse-library.ts';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

const STORAGE_SOP_CLASSES: ReadonlySet<string> = new Set(Object.values(constants.StorageClass as Record<string, string>));

/** Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (plus a few outside it that the library lists). */
export function isStorageSopClass(uid: string): boolean {
  return STORAGE_SOP_CLASSES.has(uid) || uid.startsWith('1.2.840.10008.5.1.4.1.1.');
}

/** Query/retrieve, worklist, print and other non-storage services the gateway does not offer. */
export function isKnownNonStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.') && !isStorageSopClass(uid) && uid !== VERIFICATION_SOP_CLASS;
}
