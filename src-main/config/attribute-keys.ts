/**
 * Rules can match any element, named by its DICOM keyword ("PatientID") or its tag
 * ("(0010,0020)"). The names are resolved exactly as the rule engine resolves them
 * (dicom/tag-keywords.ts); this adds what a config file needs on top: the keyword that was
 * probably meant when a name is misspelt, so a typo is caught and explained when the config
 * loads instead of silently never matching.
 */
import { dcmjsData } from '../dicom/dcmjs-library.ts';
import { resolveTagReference } from '../dicom/tag-keywords.ts';
import { closestMatch } from './did-you-mean.ts';

let keywords: string[] | undefined;

/** Every keyword of the dictionary, retired ones without dcmjs's RETIRED_ prefix. */
function allKeywords(): string[] {
  keywords ??= Object.keys(dcmjsData().DicomMetaDictionary.nameMap).map((name) => name.replace(/^RETIRED_/, ''));
  return keywords;
}

/** Why `key` names no element (with the likely intended spelling), or undefined when it does. */
export function attributeKeyProblem(key: string): string | undefined {
  try {
    resolveTagReference(key);
    return undefined;
  } catch {
    const loose = /^\(?([0-9A-Fa-f]{4})[ ,]?([0-9A-Fa-f]{4})\)?$/.exec(key.trim());
    if (loose) return `not a tag; write it as "(${loose[1]!.toUpperCase()},${loose[2]!.toUpperCase()})"`;
    const suggestion = /^[A-Za-z][A-Za-z0-9_]*$/.test(key) ? closestMatch(key, allKeywords()) : undefined;
    return `not a DICOM attribute keyword or a tag "(gggg,eeee)"${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
  }
}
