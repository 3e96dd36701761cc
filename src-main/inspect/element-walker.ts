/**
 * Walks a dataset element by element in one forward pass, reporting for each element its tag path,
 * VR, header and value offsets, length (and whether it is undefined) and a fingerprint of its value.
 * Handles explicit and implicit VR little endian, explicit VR big endian, sequences and items of
 * defined or undefined length, UN holding items (CP-246), and pixel data frame by frame (native) or
 * fragment by fragment (encapsulated). It reads, and never writes, DICOM.
 *
 * The walk is pulled one event at a time (see WalkEvent) from an explicit stack of open containers,
 * so a comparison can read two walks in step; values stream through a hash, so memory grows with
 * neither value sizes nor element counts.
 */
import {
  InvalidVrError,
  ITEM,
  ITEM_DELIMITER,
  readElementHeader,
  SEQUENCE_DELIMITER,
  UNDEFINED_LENGTH,
  type ElementHeader,
} from '../dicom/element-reader.ts';
import { notePixelLayout, type PixelLayout } from '../dicom/pixel-layout.ts';
import { formatTag } from '../dicom/tag-format.ts';
import { EndOfData, type ByteSource } from './byte-source.ts';
import type { ElementNode, FragmentNode, FrameNode, ItemNode, WalkEvent, WalkProblem } from './element-tree.ts';
import { RETAINED_VALUE_BYTES } from './element-tree.ts';
import { implicitVrOf, PIXEL_DATA } from './tag-dictionary.ts';
import { elementPath, fragmentPath, framePath, itemPath } from './tag-path.ts';
import { combineHashes, hashValue, ValueDigest, type ValueHashes } from './value-digest.ts';
import { swapUnit } from '../dicom/element-reader.ts';

export interface DatasetSyntax {
  explicitVr: boolean;
  littleEndian: boolean;
}

export interface WalkOptions extends DatasetSyntax {
  /** Fingerprint every value (for a comparison); off for a byte-range view, which only needs the layout. */
  hashValues: boolean;
  /** Stop at the first header (or frame) that starts at or after this offset: a byte-range view needs no more. */
  stopAt?: number;
}

// CP-246: the content of an undefined-length UN is encoded in Implicit VR Little Endian.
const IMPLICIT_LE: DatasetSyntax = { explicitVr: false, littleEndian: true };
// Fragments are byte streams (PS3.5 §A.4): little endian item headers, content never byte-swapped.
const FRAGMENT_SYNTAX: DatasetSyntax = { explicitVr: true, littleEndian: true };

const EMPTY_HASHES: ValueHashes = { valueHash: '', decodedHash: '' };

/** The dataset cannot be walked past `offset`: its structure contradicts itself. */
export class DatasetStructureError extends Error {
  readonly offset: number;
  constructor(offset: number, reason: string) {
    super(reason);
    this.name = 'DatasetStructureError';
    this.offset = offset;
  }
}

class StopWalk extends Error {}

interface Header extends ElementHeader {
  headerOffset: number;
}

/** What is open: the top-level dataset or an item (elements), a sequence (items), pixel data (fragments or frames). */
type Frame =
  | { kind: 'dataset'; item: ItemNode | undefined; syntax: DatasetSyntax; end: number | undefined }
  | { kind: 'sequence'; node: ElementNode; syntax: DatasetSyntax; end: number | undefined; index: number }
  | { kind: 'fragments'; node: ElementNode; itemIndex: number; hashes: ValueHashes[] }
  | {
      kind: 'frames';
      node: ElementNode;
      segments: Array<{ index: number; length: number }>;
      next: number;
      offset: number;
      swap: 0 | 2 | 4 | 8;
      hashes: ValueHashes[];
    };

/** The walk as a stream of events; what a comparison reads two at a time. */
export function walkEvents(source: ByteSource, options: WalkOptions): AsyncIterableIterator<WalkEvent> {
  return new ElementWalker(source, options);
}

class ElementWalker implements AsyncIterableIterator<WalkEvent> {
  private readonly source: ByteSource;
  private readonly options: WalkOptions;
  /** Image attributes of the top-level dataset, read on the way, that say where frames begin. */
  private readonly geometry: PixelLayout = {};
  private readonly stack: Frame[];
  private finished = false;
  /** Path of what is being read, for the problem report. */
  private context: string | undefined;

  constructor(source: ByteSource, options: WalkOptions) {
    this.source = source;
    this.options = options;
    this.stack = [{ kind: 'dataset', item: undefined, syntax: options, end: undefined }];
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WalkEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<WalkEvent>> {
    if (this.finished) return { done: true, value: undefined };
    try {
      const event = await this.step();
      if (event.type === 'end' && !event.container) this.finished = true;
      return { done: false, value: event };
    } catch (err) {
      this.finished = true;
      if (err instanceof StopWalk) return { done: true, value: undefined };
      return { done: false, value: { type: 'problem', problem: this.describeProblem(err) } };
    }
  }

  async return(): Promise<IteratorResult<WalkEvent>> {
    this.finished = true;
    return { done: true, value: undefined };
  }

  private step(): Promise<WalkEvent> {
    const frame = this.stack[this.stack.length - 1]!;
    switch (frame.kind) {
      case 'dataset':
        return this.datasetStep(frame);
      case 'sequence':
        return this.sequenceStep(frame);
      case 'fragments':
        return this.fragmentStep(frame);
      case 'frames':
        return this.frameStep(frame);
    }
  }

  private describeProblem(err: unknown): WalkProblem {
    const path = this.context;
    const where = path ? ` in ${path}` : '';
    if (err instanceof EndOfData) return { offset: err.position, path, reason: `data ends${where} at byte ${err.position}` };
    if (err instanceof DatasetStructureError) return { offset: err.offset, path, reason: `${err.message}${where}` };
    const message = err instanceof Error ? err.message : String(err);
    // zlib reports a damaged deflated dataset as a plain error.
    return { offset: this.source.position, path, reason: `cannot read the dataset${where}: ${message}` };
  }

  private checkStop(): void {
    if (this.options.stopAt !== undefined && this.source.position >= this.options.stopAt) throw new StopWalk();
  }

  /** The next element of the top-level dataset or of an item, or the end of it. */
  private async datasetStep(frame: Extract<Frame, { kind: 'dataset' }>): Promise<WalkEvent> {
    this.context = frame.item?.path;
    const position = this.source.position;
    if (frame.end !== undefined && position >= frame.end) {
      if (position > frame.end) throw new DatasetStructureError(frame.end, `an element runs past the end of its item (byte ${frame.end})`);
      return this.endDataset(frame, undefined);
    }
    if (!frame.item && (await this.source.atEnd())) return this.endDataset(frame, undefined);
    this.checkStop();
    const header = await this.readHeader(frame.syntax);
    if (header.tag >>> 16 === 0xfffe) {
      if (frame.item?.undefinedLength && header.tag === ITEM_DELIMITER) return this.endDataset(frame, header.headerOffset);
      throw new DatasetStructureError(header.headerOffset, `unexpected ${formatTag(header.tag)} at byte ${header.headerOffset}`);
    }
    const node = this.elementNode(frame.item?.path, header);
    this.context = node.path;
    return this.startElement(node, header, frame.syntax, this.stack.length === 1);
  }

  private endDataset(frame: Extract<Frame, { kind: 'dataset' }>, delimiterOffset: number | undefined): WalkEvent {
    this.stack.pop();
    const item = frame.item;
    if (!item) return { type: 'end', container: undefined, offset: this.source.position };
    if (delimiterOffset !== undefined) {
      item.delimiterOffset = delimiterOffset;
      item.valueLength = delimiterOffset - item.valueOffset;
      item.endOffset = delimiterOffset + 8;
    }
    return { type: 'end', container: item, offset: item.delimiterOffset ?? item.endOffset };
  }

  /** A leaf element comes back complete; a container is opened and announced. */
  private async startElement(node: ElementNode, header: Header, syntax: DatasetSyntax, topLevel: boolean): Promise<WalkEvent> {
    const definedEnd = node.undefinedLength ? undefined : node.valueOffset + node.valueLength;
    if (node.undefinedLength && (node.vr === 'SQ' || node.vr === 'UN')) {
      // An explicit UN of undefined length holds implicit-VR items (CP-246); an implicit one keeps the syntax.
      const content = node.vr === 'UN' && header.vrInHeader ? IMPLICIT_LE : syntax;
      return this.open(node, 'items', { kind: 'sequence', node, syntax: content, end: undefined, index: 0 });
    }
    if (node.undefinedLength) {
      // Pixel data, and any other OB/OW of undefined length, is a sequence of fragments.
      return this.open(node, 'fragments', { kind: 'fragments', node, itemIndex: 0, hashes: [] });
    }
    if (node.vr === 'SQ' || (node.vr === 'UN' && !header.vrInHeader && (await this.startsWithItem(syntax, node.valueLength)))) {
      return this.open(node, 'items', { kind: 'sequence', node, syntax, end: definedEnd, index: 0 });
    }
    const frameLength = this.frameLength();
    const frameCount = this.geometry.frames ?? 1;
    if (
      topLevel &&
      node.tag === PIXEL_DATA &&
      frameLength !== undefined &&
      frameCount >= 1 &&
      frameLength * frameCount <= node.valueLength
    ) {
      const segments = Array.from({ length: frameCount }, (_, index) => ({ index, length: frameLength }));
      const rest = node.valueLength - frameLength * frameCount;
      if (rest > 0) segments.push({ index: -1, length: rest });
      const swap = syntax.littleEndian ? 0 : swapUnit(node.vr);
      return this.open(node, 'frames', { kind: 'frames', node, segments, next: 0, offset: node.valueOffset, swap, hashes: [] });
    }
    await this.readLeaf(node, syntax, topLevel);
    return { type: 'element', node };
  }

  private open(node: ElementNode, content: ElementNode['content'], frame: Frame): WalkEvent {
    node.content = content;
    this.stack.push(frame);
    return { type: 'element', node };
  }

  /** The next item of a sequence, or its end. */
  private async sequenceStep(frame: Extract<Frame, { kind: 'sequence' }>): Promise<WalkEvent> {
    const node = frame.node;
    this.context = node.path;
    if (frame.end !== undefined && this.source.position >= frame.end) {
      if (this.source.position > frame.end)
        throw new DatasetStructureError(frame.end, `an item runs past the end of its sequence (byte ${frame.end})`);
      this.stack.pop();
      return { type: 'end', container: node, offset: node.endOffset };
    }
    this.checkStop();
    const header = await this.readHeader(frame.syntax);
    if (node.undefinedLength && header.tag === SEQUENCE_DELIMITER) {
      this.closeDelimited(node, header.headerOffset);
      this.stack.pop();
      return { type: 'end', container: node, offset: header.headerOffset };
    }
    if (header.tag !== ITEM) {
      throw new DatasetStructureError(
        header.headerOffset,
        `expected an item (FFFE,E000) at byte ${header.headerOffset}, found ${formatTag(header.tag)}`,
      );
    }
    const item = this.itemNode(node.path, frame.index++, header);
    this.stack.push({
      kind: 'dataset',
      item,
      syntax: frame.syntax,
      end: item.undefinedLength ? undefined : item.valueOffset + item.valueLength,
    });
    return { type: 'item', node: item };
  }

  private closeDelimited(node: ElementNode, delimiterOffset: number): void {
    node.delimiterOffset = delimiterOffset;
    node.valueLength = delimiterOffset - node.valueOffset;
    node.endOffset = delimiterOffset + 8;
  }

  /** The next fragment of encapsulated pixel data (the offset table first), or its end. */
  private async fragmentStep(frame: Extract<Frame, { kind: 'fragments' }>): Promise<WalkEvent> {
    const node = frame.node;
    this.context = node.path;
    this.checkStop();
    const header = await this.readHeader(FRAGMENT_SYNTAX);
    if (header.tag === SEQUENCE_DELIMITER) {
      this.closeDelimited(node, header.headerOffset);
      Object.assign(node, combineHashes(frame.hashes));
      this.stack.pop();
      return { type: 'end', container: node, offset: header.headerOffset };
    }
    if (header.tag !== ITEM || header.length === UNDEFINED_LENGTH) {
      throw new DatasetStructureError(
        header.headerOffset,
        `expected a fragment item of defined length at byte ${header.headerOffset}, found ${formatTag(header.tag)}`,
      );
    }
    const itemIndex = frame.itemIndex++;
    const valueOffset = header.headerOffset + 8;
    const path = fragmentPath(node.path, itemIndex);
    this.context = path;
    const hashes = await this.consume(header.length, 0);
    frame.hashes.push(hashes);
    const fragment: FragmentNode = {
      type: 'fragment',
      itemIndex,
      path,
      headerOffset: header.headerOffset,
      headerLength: 8,
      vrInHeader: false,
      valueOffset,
      valueLength: header.length,
      endOffset: valueOffset + header.length,
      ...hashes,
    };
    return { type: 'fragment', node: fragment };
  }

  /** The next frame of native pixel data (then the padding after the last one, if any), or its end. */
  private async frameStep(frame: Extract<Frame, { kind: 'frames' }>): Promise<WalkEvent> {
    const node = frame.node;
    const segment = frame.segments[frame.next];
    if (!segment) {
      Object.assign(node, combineHashes(frame.hashes));
      this.stack.pop();
      return { type: 'end', container: node, offset: node.endOffset };
    }
    this.checkStop();
    frame.next++;
    const path = framePath(node.path, segment.index);
    this.context = path;
    const hashes = await this.consume(segment.length, frame.swap);
    frame.hashes.push(hashes);
    const piece: FrameNode = {
      type: 'frame',
      index: segment.index,
      path,
      valueOffset: frame.offset,
      valueLength: segment.length,
      ...hashes,
    };
    frame.offset += segment.length;
    return { type: 'frame', node: piece };
  }

  private async readHeader(syntax: DatasetSyntax): Promise<Header> {
    const headerOffset = this.source.position;
    let bytes = this.source.readNow(8) ?? (await this.source.read(8));
    let header = this.decodeHeader(bytes, headerOffset, syntax);
    if (!header) {
      // An explicit VR with a 4-byte length: the length follows the first 8 bytes.
      bytes = Buffer.concat([bytes, this.source.readNow(4) ?? (await this.source.read(4))]);
      header = this.decodeHeader(bytes, headerOffset, syntax)!;
    }
    return { headerOffset, ...header };
  }

  private decodeHeader(bytes: Buffer, headerOffset: number, syntax: DatasetSyntax): ElementHeader | undefined {
    try {
      return readElementHeader(bytes, 0, syntax, implicitVrOf);
    } catch (err) {
      if (err instanceof InvalidVrError)
        throw new DatasetStructureError(
          headerOffset + 4,
          `element ${formatTag(err.tag)} at byte ${headerOffset} has no valid VR (bytes ${bytes.subarray(4, 6).toString('hex')})`,
        );
      throw err;
    }
  }

  private elementNode(parentPath: string | undefined, header: Header): ElementNode {
    const valueOffset = header.headerOffset + header.headerLength;
    const undefinedLength = header.length === UNDEFINED_LENGTH;
    return {
      type: 'element',
      tag: header.tag,
      path: elementPath(parentPath, header.tag),
      vr: header.vr,
      headerOffset: header.headerOffset,
      headerLength: header.headerLength,
      vrInHeader: header.vrInHeader,
      valueOffset,
      valueLength: undefinedLength ? 0 : header.length,
      undefinedLength,
      endOffset: undefinedLength ? valueOffset : valueOffset + header.length,
      content: 'value',
    };
  }

  private itemNode(sequencePath: string, index: number, header: Header): ItemNode {
    const undefinedLength = header.length === UNDEFINED_LENGTH;
    const valueOffset = header.headerOffset + 8;
    return {
      type: 'item',
      index,
      path: itemPath(sequencePath, index),
      headerOffset: header.headerOffset,
      headerLength: 8,
      vrInHeader: false,
      valueOffset,
      valueLength: undefinedLength ? 0 : header.length,
      undefinedLength,
      endOffset: undefinedLength ? valueOffset : valueOffset + header.length,
      elements: [],
    };
  }

  /** An implicit-VR element the dictionary does not know is a sequence when its value opens with an item. */
  private async startsWithItem(syntax: DatasetSyntax, length: number): Promise<boolean> {
    if (length < 8) return false;
    const head = await this.source.peek(4);
    if (head.length < 4) return false;
    const tag = syntax.littleEndian ? ((head.readUInt16LE(0) << 16) | head.readUInt16LE(2)) >>> 0 : head.readUInt32BE(0);
    return tag === ITEM;
  }

  private frameLength(): number | undefined {
    const { rows, columns, bitsAllocated, samplesPerPixel } = this.geometry;
    if (!rows || !columns || !bitsAllocated || bitsAllocated % 8 !== 0) return undefined;
    return rows * columns * (samplesPerPixel ?? 1) * (bitsAllocated / 8);
  }

  private async readLeaf(node: ElementNode, syntax: DatasetSyntax, topLevel: boolean): Promise<void> {
    const swap = syntax.littleEndian ? 0 : swapUnit(node.vr);
    if (node.valueLength <= RETAINED_VALUE_BYTES) {
      const value = await this.source.read(node.valueLength);
      node.value = value;
      Object.assign(node, this.options.hashValues ? hashValue(value, swap) : EMPTY_HASHES);
      if (topLevel) notePixelLayout(this.geometry, node.tag, value, syntax.littleEndian);
      return;
    }
    Object.assign(node, await this.consume(node.valueLength, swap));
  }

  private async consume(length: number, swap: 0 | 2 | 4 | 8): Promise<ValueHashes> {
    if (!this.options.hashValues) {
      await this.source.pass(length);
      return EMPTY_HASHES;
    }
    const digest = new ValueDigest(swap);
    await this.source.pass(length, (chunk) => digest.update(chunk));
    return digest.digest();
  }
}
