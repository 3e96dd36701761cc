/** Tag paths name an element by where it is: "(0040,0275)[0]/(0040,0007)", "(7FE0,0010)/fragment[2]". */
import { formatTag } from '../dicom/tag-format.ts';

// Datasets repeat a small set of tags many times (per-frame functional groups): format each once.
const TAG_TEXT = new Map<number, string>();
const TAG_TEXT_LIMIT = 4096;

function tagText(tag: number): string {
  let text = TAG_TEXT.get(tag);
  if (text === undefined) {
    text = formatTag(tag);
    if (TAG_TEXT.size < TAG_TEXT_LIMIT) TAG_TEXT.set(tag, text);
  }
  return text;
}

export function elementPath(parentPath: string | undefined, tag: number): string {
  return parentPath === undefined ? tagText(tag) : `${parentPath}/${tagText(tag)}`;
}

export function itemPath(sequencePath: string, index: number): string {
  return `${sequencePath}[${index}]`;
}

/** Item 0 of encapsulated pixel data is the basic offset table; the fragments after it count from 0. */
export function fragmentPath(pixelPath: string, itemIndex: number): string {
  return itemIndex === 0 ? `${pixelPath}/offset-table` : `${pixelPath}/fragment[${itemIndex - 1}]`;
}

export function framePath(pixelPath: string, index: number): string {
  return index < 0 ? `${pixelPath}/padding` : `${pixelPath}/frame[${index}]`;
}
