/**
 * Every element of one instance as rows a person can read: the meta group, then the dataset in
 * file order, with nested sequences as deeper rows, private elements named by their creator, values
 * as text, header offsets and lengths. Built on the same walker as the comparison, so what the
 * element view shows is what the byte view and the comparison see; pixel data is passed, not read.
 */
import type { ElementRow, InstanceElements } from '../api/contract.ts';
import { keywordForTag } from '../dicom/tag-keywords.ts';
import { formatTag } from '../dicom/tag-format.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import { openDatasetSource, openInput } from './dataset-input.ts';
import type { ElementNode } from './element-tree.ts';
import { walkEvents } from './element-walker.ts';
import { keywordOf } from './tag-dictionary.ts';
import { displayValue, hexPreview, isTextVr } from './value-display.ts';

/** Enough for any real header and thousands of per-frame items, bounded so one odd file cannot fill memory. */
export const MAX_ELEMENT_ROWS = 50_000;
const MAX_TEXT_CHARS = 1024;
const SPECIFIC_CHARACTER_SET = 0x00080005;

export async function instanceElements(path: string): Promise<InstanceElements> {
  const opened = await openInput({ path });
  if (!opened.header || !opened.encoding || !opened.transferSyntaxUid) {
    throw new Error(`${path} is not a DICOM Part-10 file: ${opened.problem ?? 'no file meta group'}`);
  }
  const rows: ElementRow[] = opened.header.elements.map((e) => ({
    kind: 'element',
    depth: 0,
    path: formatTag(e.tag),
    tag: formatTag(e.tag),
    name: elementName(e.tag, null),
    vr: e.vr,
    offset: e.offset,
    length: e.valueLength,
    valueLength: e.valueLength,
    privateCreator: null,
    value: valueText(e.vr, e.value, true, false),
    meta: true,
  }));
  const problem = await datasetRows(opened, rows);
  return {
    path,
    fileSize: opened.size,
    transferSyntaxUid: opened.transferSyntaxUid,
    transferSyntaxName: describeTransferSyntax(opened.transferSyntaxUid),
    rows,
    problem,
  };
}

async function datasetRows(opened: Awaited<ReturnType<typeof openInput>>, rows: ElementRow[]): Promise<string | null> {
  const encoding = opened.encoding!;
  const source = await openDatasetSource(opened);
  // Private creators are scoped to the dataset or item that holds them: one map per open level.
  const creators: Map<number, string>[] = [new Map()];
  let depth = 0;
  let utf8 = false;
  try {
    for await (const event of walkEvents(source, {
      explicitVr: encoding.explicitVr,
      littleEndian: encoding.littleEndian,
      hashValues: false,
    })) {
      if (rows.length >= MAX_ELEMENT_ROWS) return `only the first ${MAX_ELEMENT_ROWS} rows are shown`;
      switch (event.type) {
        case 'element': {
          const node = event.node;
          if (node.tag === SPECIFIC_CHARACTER_SET && node.value) utf8 = /ISO_IR 192/.test(node.value.toString('latin1'));
          const creator = noteCreator(creators[creators.length - 1]!, node, utf8);
          rows.push(elementRow(node, depth, creator, encoding.littleEndian, utf8));
          if (node.content !== 'value') depth++;
          break;
        }
        case 'item':
          creators.push(new Map());
          rows.push(
            containerRow(
              'item',
              event.node.path,
              depth,
              `Item ${event.node.index + 1}`,
              event.node.headerOffset,
              event.node.undefinedLength ? null : event.node.valueLength,
              event.node.valueLength,
            ),
          );
          depth++;
          break;
        case 'fragment': {
          const f = event.node;
          const name = f.itemIndex === 0 ? 'Basic offset table' : `Fragment ${f.itemIndex}`;
          rows.push({
            ...containerRow('fragment', f.path, depth, name, f.headerOffset, f.valueLength, f.valueLength),
            value: `${f.valueLength} bytes`,
          });
          break;
        }
        case 'frame': {
          const f = event.node;
          const name = f.index < 0 ? 'Padding after the last frame' : `Frame ${f.index + 1}`;
          rows.push({
            ...containerRow('frame', f.path, depth, name, f.valueOffset, f.valueLength, f.valueLength),
            value: `${f.valueLength} bytes`,
          });
          break;
        }
        case 'end':
          if (event.container?.type === 'item') creators.pop();
          if (event.container) depth--;
          break;
        case 'problem':
          return event.problem.reason;
      }
    }
    return null;
  } finally {
    await source.close();
  }
}

/** Records a private creator (gggg,00xx); for a private element (gggg,xxyy) answers the creator of block xx. */
function noteCreator(creators: Map<number, string>, node: ElementNode, utf8: boolean): string | null {
  const group = node.tag >>> 16;
  const element = node.tag & 0xffff;
  if (group % 2 === 0) return null;
  if (element >= 0x0010 && element <= 0x00ff) {
    if (node.value) creators.set(group * 0x100 + element, decodeText(node.value, utf8).trim());
    return null;
  }
  if (element < 0x1000) return null;
  return creators.get(group * 0x100 + (element >>> 8)) ?? null;
}

function elementRow(node: ElementNode, depth: number, creator: string | null, littleEndian: boolean, utf8: boolean): ElementRow {
  const container = node.content !== 'value';
  return {
    kind: 'element',
    depth,
    path: node.path,
    tag: formatTag(node.tag),
    name: elementName(node.tag, creator),
    vr: node.vr,
    offset: node.headerOffset,
    length: node.undefinedLength ? null : node.valueLength,
    valueLength: node.valueLength,
    privateCreator: creator,
    meta: false,
    value: container ? '' : node.value ? valueText(node.vr, node.value, littleEndian, utf8) : `${node.valueLength} bytes`,
  };
}

function containerRow(
  kind: ElementRow['kind'],
  path: string,
  depth: number,
  name: string,
  offset: number,
  length: number | null,
  valueLength: number,
): ElementRow {
  return { kind, depth, path, tag: '', name, vr: '', offset, length, valueLength, privateCreator: null, value: '', meta: false };
}

function elementName(tag: number, creator: string | null): string {
  const group = tag >>> 16;
  if (group % 2 === 1 && (tag & 0xffff) >= 0x1000) return creator ? `Private (${creator})` : 'Private (no creator)';
  return keywordOf(tag) ?? keywordForTag(tag) ?? 'Unknown';
}

function decodeText(value: Buffer, utf8: boolean): string {
  return value.toString(utf8 ? 'utf8' : 'latin1');
}

/** Text without its padding, numbers as numbers, short binary values as hex. */
function valueText(vr: string, value: Buffer, littleEndian: boolean, utf8: boolean): string {
  if (value.length === 0) return '';
  if (isTextVr(vr)) {
    const text = decodeText(value, utf8).replace(/[\0 ]+$/, '');
    return text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}…` : text;
  }
  if (vr === 'OB' || vr === 'OW' || vr === 'UN' || vr === 'OF' || vr === 'OD' || vr === 'OL' || vr === 'OV') {
    return value.length > 16 ? `${hexPreview(value)} (${value.length} bytes)` : hexPreview(value);
  }
  return displayValue(vr, value, littleEndian);
}
