/** Which element, and which part of it, a run of a file's bytes belongs to: what a hex view labels. */
export type ByteRegion = 'preamble' | 'prefix' | 'meta' | 'dataset';
export type BytePart = 'preamble' | 'prefix' | 'tag' | 'vr' | 'reserved' | 'length' | 'value' | 'deflated' | 'unparsed';

export interface ByteSpan {
  /** File offsets, end exclusive. */
  start: number;
  end: number;
  region: ByteRegion;
  part: BytePart;
  /** Tag path of the element (item, delimiter, frame, fragment) the bytes belong to. */
  path?: string;
  keyword?: string;
  vr?: string;
}
