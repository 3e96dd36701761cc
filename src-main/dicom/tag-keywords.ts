/**
 * Tags as users write them in rules: a DICOM keyword ("PatientID", from dcmjs's copy of the PS3.6
 * data dictionary) or a tag number as "(0010,0020)", "0010,0020" or "00100020". Also the VR the
 * dictionary gives a tag, which an Implicit VR dataset does not carry.
 */
import { dcmjsData } from './dcmjs-library.ts';

export interface TagReference {
  tag: number;
  /** The dictionary keyword, when the dictionary knows the tag. */
  keyword: string | undefined;
  /** The dictionary VR ("UN" when the dictionary does not know the tag); ambiguous VRs resolved as `dictionaryVr` does. */
  vr: string;
}

const TAG_FORMS = [/^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/, /^([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})$/, /^([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})$/];

/** The tag a keyword or tag text names, or an Error saying what is wrong with `text`. */
export function resolveTagReference(text: string): TagReference {
  const trimmed = text.trim();
  for (const form of TAG_FORMS) {
    const match = form.exec(trimmed);
    if (match) {
      const tag = ((parseInt(match[1]!, 16) << 16) | parseInt(match[2]!, 16)) >>> 0;
      return { tag, keyword: dictionary().keywordByTag.get(tag), vr: dictionaryVr(tag) };
    }
  }
  const tag = tagForKeyword(trimmed);
  if (tag !== undefined) return { tag, keyword: dictionary().keywordByTag.get(tag), vr: dictionaryVr(tag) };
  const suggestion = dictionary().tagByLowerKeyword.get(trimmed.toLowerCase());
  const hint = suggestion === undefined ? '' : ` (did you mean ${dictionary().keywordByTag.get(suggestion)}?)`;
  throw new Error(`unknown tag keyword "${text}"${hint}; expected a DICOM keyword such as PatientID, or a tag such as (0010,0020)`);
}

/** Keywords are case-sensitive, as in PS3.6; a retired attribute answers to its name with or without dcmjs's "RETIRED_" prefix. */
export function tagForKeyword(keyword: string): number | undefined {
  const { tagByKeyword } = dictionary();
  return tagByKeyword.get(keyword) ?? tagByKeyword.get(`RETIRED_${keyword}`);
}

export function keywordForTag(tag: number): string | undefined {
  return dictionary().keywordByTag.get(tag);
}

/**
 * The VR an Implicit VR reader uses for `tag`: the dictionary's, with its ambiguous entries
 * resolved the way a reader without more context must (US or SS → US, a pointer → UL, OB or OW →
 * OW), and UN for tags the dictionary does not know (private ones among them).
 */
export function dictionaryVr(tag: number): string {
  const vr = dictionary().vrByTag.get(tag);
  if (vr === undefined) return 'UN';
  switch (vr) {
    case 'xs':
      return 'US';
    case 'up':
      return 'UL';
    case 'ox':
    case 'lt':
      return 'OW';
    case 'na':
      return 'UN';
    default:
      return vr;
  }
}

/** The dictionary gives this tag "US or SS" (e.g. Smallest Image Pixel Value): Pixel Representation decides. */
export function isUsOrSs(tag: number): boolean {
  return dictionary().vrByTag.get(tag) === 'xs';
}

interface Dictionary {
  tagByKeyword: Map<string, number>;
  tagByLowerKeyword: Map<string, number>;
  keywordByTag: Map<number, string>;
  vrByTag: Map<number, string>;
}
let built: Dictionary | undefined;

/** Built on first use: some 5,000 entries, needed only when rules name tags or implicit VR extra tags are read. */
function dictionary(): Dictionary {
  if (built) return built;
  const result: Dictionary = { tagByKeyword: new Map(), tagByLowerKeyword: new Map(), keywordByTag: new Map(), vrByTag: new Map() };
  for (const [keyword, entry] of Object.entries(dcmjsData().DicomMetaDictionary.nameMap)) {
    const match = /^\(([0-9A-F]{4}),([0-9A-F]{4})\)$/i.exec(entry.tag);
    if (!match) continue;
    const tag = ((parseInt(match[1]!, 16) << 16) | parseInt(match[2]!, 16)) >>> 0;
    const name = keyword.replace(/^RETIRED_/, '');
    result.tagByKeyword.set(keyword, tag);
    result.tagByLowerKeyword.set(name.toLowerCase(), tag);
    result.keywordByTag.set(tag, name);
    result.vrByTag.set(tag, entry.vr);
  }
  built = result;
  return result;
}
