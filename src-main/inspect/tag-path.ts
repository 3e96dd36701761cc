/** Tag paths name an element by where it is: "(0040,0275)[0]/(0040,0007)", "(7FE0,0010)/fragment[2]". */
import { formatTag } from '../dicom/p10-reader.ts';

export function elementPath(parentPath: string | undefined, tag: number): string {
  return parentPath === undefined ? formatTag(tag) : `${parentPath}/${formatTag(tag)}`;
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
