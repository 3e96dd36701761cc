/** Which abstract syntaxes the SCP accepts. Kept free of dcmjs-dimse: the receive path loads this. */
import { STANDARD_STORAGE_SOP_CLASSES } from './storage-sop-classes.ts';

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/**
 * Storage SOP classes: most live under 1.2.840.10008.5.1.4.1.1 (new ones will too); the standard's
 * few elsewhere (Hanging Protocol, Color Palette, implant templates, RT delivery instructions) are
 * in its table.
 */
export function isStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.5.1.4.1.1.') || STANDARD_STORAGE_SOP_CLASSES.has(uid);
}

/** Query/retrieve, worklist, print and other non-storage services the gateway does not offer. */
export function isKnownNonStorageSopClass(uid: string): boolean {
  return uid.startsWith('1.2.840.10008.') && !isStorageSopClass(uid) && uid !== VERIFICATION_SOP_CLASS;
}
