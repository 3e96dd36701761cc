/** How tags are written: 8 hex digits as keys, "(gggg,eeee)" for people. No dictionary, no dependencies. */

/** 8 upper-case hex digits, "00100020": the key dcmjs and IndexFields.extra use. */
export function tagKey(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/** "(0010,0020)". */
export function formatTag(tag: number): string {
  const hex = tagKey(tag);
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
