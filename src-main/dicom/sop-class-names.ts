/** SOP class names for people, from dcmjs-dimse's constant names (loaded the first time a name is shown). */
import { dimseConstants } from './dimse-library.ts';
import { IMAGE_STORAGE_SOP_CLASSES } from './sop-class-kinds.ts';
import { VERIFICATION_SOP_CLASS } from './sop-classes.ts';

const ACRONYMS: Record<string, string> = {
  Sr: 'SR',
  Ct: 'CT',
  CT: 'CT',
  Mr: 'MR',
  MR: 'MR',
  Pdf: 'PDF',
  Cda: 'CDA',
  Cad: 'CAD',
  Rt: 'RT',
  Xa: 'XA',
  Xrf: 'XRF',
  Pet: 'PET',
  PET: 'PET',
  Vl: 'VL',
  '3d': '3D',
  X: 'X',
  Ray: 'Ray',
};

/** "CtImageStorage" → "CT Image Storage": the library's constant names, made readable. */
function humanize(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(' ')
    .map((word) => ACRONYMS[word] ?? word)
    .join(' ')
    .replace(/X Ray/g, 'X-Ray');
}

let names: ReadonlyMap<string, string> | undefined;

function table(): ReadonlyMap<string, string> {
  names ??= new Map([
    ...Object.entries(dimseConstants().StorageClass).map(([key, uid]) => [uid, humanize(key)] as const),
    ...IMAGE_STORAGE_SOP_CLASSES,
    [VERIFICATION_SOP_CLASS, 'Verification'],
  ]);
  return names;
}

/** A SOP class's name for people; the UID itself when the gateway does not know it. */
export function sopClassName(uid: string): string {
  return table().get(uid) ?? uid;
}
