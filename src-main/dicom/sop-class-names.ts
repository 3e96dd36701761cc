/**
 * SOP class names for people. One source for the engine's messages and results and for the
 * renderer, which gets it through the contract: a name is the same wherever it is shown. A UID
 * the standard's table does not hold is shown as the UID itself, never guessed.
 */
import { VERIFICATION_SOP_CLASS } from './sop-classes.ts';
import { STANDARD_STORAGE_SOP_CLASSES } from './storage-sop-classes.ts';

/** A SOP class's name for people; the UID itself when the gateway does not know it. */
export function sopClassName(uid: string): string {
  return uid === VERIFICATION_SOP_CLASS ? 'Verification' : (STANDARD_STORAGE_SOP_CLASSES.get(uid) ?? uid);
}

/** "CT Image Storage (1.2.840.10008.5.1.4.1.1.2)", or the UID alone when it has no name: for messages. */
export function describeSopClass(uid: string): string {
  const name = sopClassName(uid);
  return name === uid ? uid : `${name} (${uid})`;
}
