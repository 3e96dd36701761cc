/**
 * Says which element, and which part of it, each byte of a file belongs to: preamble, `DICM`, a
 * meta element, or a dataset element's tag, VR, reserved bytes, length or value (down to the frame
 * or fragment of pixel data). This is what a hex view labels its bytes with.
 */
import type { P10Header } from '../dicom/p10-reader.ts';
import { formatTag } from '../dicom/tag-format.ts';
import type { WalkEvent } from './element-tree.ts';
import { keywordOf, PIXEL_DATA } from './tag-dictionary.ts';
import type { ByteRegion, ByteSpan } from '../api/types/byte-span.ts';

const PREAMBLE_END = 128;

/** Spans of the preamble, `DICM` and meta group that overlap [start, end). */
export function headerSpans(header: P10Header, start: number, end: number): ByteSpan[] {
  const spans: ByteSpan[] = [];
  if (header.hasPreamble) spans.push({ start: 0, end: PREAMBLE_END, region: 'preamble', part: 'preamble' });
  if (header.hasPrefix) spans.push({ start: header.metaOffset - 4, end: header.metaOffset, region: 'prefix', part: 'prefix' });
  for (const element of header.elements) {
    const headerLength = element.valueOffset - element.offset;
    const path = formatTag(element.tag);
    const keyword = keywordOf(element.tag);
    const explicit = headerLength === 12 || element.vr !== 'UN';
    spans.push(...elementHeaderSpans(element.offset, headerLength, explicit, { region: 'meta', path, keyword, vr: element.vr }));
    spans.push({
      start: element.valueOffset,
      end: element.valueOffset + element.valueLength,
      region: 'meta',
      part: 'value',
      path,
      ...(keyword ? { keyword } : {}),
      vr: element.vr,
    });
  }
  return clip(spans, start, end);
}

/**
 * Spans of dataset elements that overlap [start, end), from a walk (offsets in file space) read as
 * it goes: only spans in the range are kept, so a range deep in a file of many elements costs no
 * memory for the elements before it.
 */
export async function datasetSpans(events: AsyncIterable<WalkEvent>, start: number, end: number): Promise<ByteSpan[]> {
  const spans: ByteSpan[] = [];
  for await (const event of events) {
    const [from, to] = extentOfEvent(event);
    if (!overlaps(from, to, start, end)) continue;
    for (const span of spansOfEvent(event)) if (overlaps(span.start, span.end, start, end)) spans.push(span);
  }
  return clip(spans, start, end);
}

/** The span holding `offset`, if any. */
export function spanAt(spans: ByteSpan[], offset: number): ByteSpan | undefined {
  return spans.find((span) => span.start <= offset && offset < span.end);
}

interface Label {
  region: ByteRegion;
  path: string;
  keyword?: string | undefined;
  vr?: string;
}

function elementHeaderSpans(offset: number, headerLength: number, vrInHeader: boolean, label: Label): ByteSpan[] {
  const base = {
    region: label.region,
    path: label.path,
    ...(label.keyword ? { keyword: label.keyword } : {}),
    ...(label.vr ? { vr: label.vr } : {}),
  };
  const spans: ByteSpan[] = [{ start: offset, end: offset + 4, part: 'tag', ...base }];
  if (!vrInHeader) {
    spans.push({ start: offset + 4, end: offset + 8, part: 'length', ...base });
  } else if (headerLength === 12) {
    spans.push({ start: offset + 4, end: offset + 6, part: 'vr', ...base });
    spans.push({ start: offset + 6, end: offset + 8, part: 'reserved', ...base });
    spans.push({ start: offset + 8, end: offset + 12, part: 'length', ...base });
  } else {
    spans.push({ start: offset + 4, end: offset + 6, part: 'vr', ...base });
    spans.push({ start: offset + 6, end: offset + 8, part: 'length', ...base });
  }
  return spans;
}

function overlaps(from: number, to: number, start: number, end: number): boolean {
  return from < end && to > start;
}

/** First and last-plus-one byte of what spansOfEvent would describe, to skip events outside the range cheaply. */
function extentOfEvent(event: WalkEvent): [number, number] {
  switch (event.type) {
    case 'element':
      return [event.node.headerOffset, event.node.content === 'value' ? event.node.endOffset : event.node.valueOffset];
    case 'item':
      return [event.node.headerOffset, event.node.valueOffset];
    case 'fragment':
      return [event.node.headerOffset, event.node.endOffset];
    case 'frame':
      return [event.node.valueOffset, event.node.valueOffset + event.node.valueLength];
    case 'end':
      return event.container?.delimiterOffset === undefined
        ? [0, 0]
        : [event.container.delimiterOffset, event.container.delimiterOffset + 8];
    case 'problem':
      return [0, 0];
  }
}

/** The bytes one walk event accounts for: a header, a value, a frame, a fragment, a delimiter. */
function spansOfEvent(event: WalkEvent): ByteSpan[] {
  switch (event.type) {
    case 'element': {
      const node = event.node;
      const keyword = keywordOf(node.tag);
      const label: Label = { region: 'dataset', path: node.path, keyword, vr: node.vr };
      const spans = elementHeaderSpans(node.headerOffset, node.headerLength, node.vrInHeader, label);
      if (node.content === 'value') spans.push(valueSpan(node.valueOffset, node.valueLength, label));
      return spans;
    }
    case 'item':
      return elementHeaderSpans(event.node.headerOffset, 8, false, { region: 'dataset', path: event.node.path });
    case 'fragment': {
      const label: Label = { region: 'dataset', path: event.node.path, keyword: keywordOf(PIXEL_DATA) };
      return [
        ...elementHeaderSpans(event.node.headerOffset, 8, false, label),
        valueSpan(event.node.valueOffset, event.node.valueLength, label),
      ];
    }
    case 'frame':
      return [
        valueSpan(event.node.valueOffset, event.node.valueLength, {
          region: 'dataset',
          path: event.node.path,
          keyword: keywordOf(PIXEL_DATA),
        }),
      ];
    case 'end': {
      const container = event.container;
      if (container?.delimiterOffset === undefined) return [];
      return delimiterSpans(
        container.delimiterOffset,
        `${container.path}/${container.type === 'item' ? 'item-delimiter' : 'sequence-delimiter'}`,
      );
    }
    case 'problem':
      return [];
  }
}

function valueSpan(offset: number, length: number, label: Label): ByteSpan {
  return {
    start: offset,
    end: offset + length,
    region: label.region,
    part: 'value',
    path: label.path,
    ...(label.keyword ? { keyword: label.keyword } : {}),
    ...(label.vr ? { vr: label.vr } : {}),
  };
}

function delimiterSpans(offset: number, path: string): ByteSpan[] {
  return elementHeaderSpans(offset, 8, false, { region: 'dataset', path });
}

/** Keeps the spans that overlap [start, end), cut to it, in offset order. */
function clip(spans: ByteSpan[], start: number, end: number): ByteSpan[] {
  return spans
    .filter((span) => span.end > span.start && overlaps(span.start, span.end, start, end))
    .map((span) => ({ ...span, start: Math.max(span.start, start), end: Math.min(span.end, end) }))
    .sort((x, y) => x.start - y.start);
}
