/**
 * Walks a dataset element by element in one forward pass, recording for each element its tag path,
 * VR, header and value offsets, length (and whether it is undefined) and a fingerprint of its value.
 * Handles explicit and implicit VR little endian, explicit VR big endian, sequences and items of
 * defined or undefined length, UN holding items (CP-246), and pixel data frame by frame (native) or
 * fragment by fragment (encapsulated). Values stream through a hash, so memory does not grow with
 * their size. It reads, and never writes, DICOM.
 */
import { formatTag } from '../dicom/p10-reader.ts';
import { EndOfData, type ByteSource } from './byte-source.ts';
import type { DatasetWalk, ElementNode, FragmentNode, FrameNode, ItemNode } from './element-tree.ts';
import { RETAINED_VALUE_BYTES } from './element-tree.ts';
import { implicitVrOf, PIXEL_DATA } from './tag-dictionary.ts';
import { elementPath, fragmentPath, framePath, itemPath } from './tag-path.ts';
import { combineHashes, hashValue, swapUnitOf, ValueDigest, type ValueHashes } from './value-digest.ts';

export interface DatasetSyntax {
  explicitVr: boolean;
  littleEndian: boolean;
}

export interface WalkOptions extends DatasetSyntax {
  /** Fingerprint every value (for a comparison); off for a byte-range view, which only needs the layout. */
  hashValues: boolean;
  /** Stop at the first header that starts at or after this offset (a byte-range view needs no more). */
  stopAt?: number;
  offsetSpace?: 'file' | 'inflated';
}

const ITEM = 0xfffee000;
const ITEM_DELIMITER = 0xfffee00d;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const UNDEFINED_LENGTH = 0xffffffff;
// VRs with a 2-byte length in explicit VR; every other VR, known or future, has reserved bytes and a 4-byte length (PS3.5 §7.1.2).
const SHORT_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
const VR_PATTERN = /^[A-Z]{2}$/;
// CP-246: the content of an undefined-length UN is encoded in Implicit VR Little Endian.
const IMPLICIT_LE: DatasetSyntax = { explicitVr: false, littleEndian: true };

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

interface Header {
  headerOffset: number;
  headerLength: number;
  tag: number;
  vr: string;
  vrInHeader: boolean;
  length: number;
}

/** Image attributes of the top-level dataset, read on the way, that say where frames begin. */
interface Geometry {
  samplesPerPixel?: number;
  rows?: number;
  columns?: number;
  bitsAllocated?: number;
  numberOfFrames?: number;
}

export async function walkDataset(source: ByteSource, options: WalkOptions): Promise<DatasetWalk> {
  const walker = new ElementWalker(source, options);
  return walker.walk();
}

class ElementWalker {
  private readonly source: ByteSource;
  private readonly options: WalkOptions;
  private readonly geometry: Geometry = {};
  /** Path of what is being read, for the problem report. */
  private context: string | undefined;

  constructor(source: ByteSource, options: WalkOptions) {
    this.source = source;
    this.options = options;
  }

  async walk(): Promise<DatasetWalk> {
    const startOffset = this.source.position;
    const elements: ElementNode[] = [];
    const walk: DatasetWalk = { elements, offsetSpace: this.options.offsetSpace ?? 'file', startOffset, endOffset: startOffset };
    try {
      await this.readElements(undefined, this.options, { delimited: false }, elements);
    } catch (err) {
      if (!(err instanceof StopWalk)) walk.problem = this.describeProblem(err);
    }
    walk.endOffset = this.source.position;
    return walk;
  }

  private describeProblem(err: unknown): { offset: number; path: string | undefined; reason: string } {
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

  /** Elements of a dataset or item; returns the offset of the item delimiter when `delimited`. */
  private async readElements(
    parentPath: string | undefined,
    syntax: DatasetSyntax,
    bound: { delimited: boolean; end?: number },
    out: ElementNode[],
  ): Promise<number | undefined> {
    for (;;) {
      if (bound.end !== undefined && this.source.position >= bound.end) {
        if (this.source.position > bound.end) {
          throw new DatasetStructureError(bound.end, `an element runs past the end of its item (byte ${bound.end})`);
        }
        return undefined;
      }
      if (bound.end === undefined && !bound.delimited && (await this.source.atEnd())) return undefined;
      this.checkStop();
      const header = await this.readHeader(syntax);
      if (header.tag >>> 16 === 0xfffe) {
        if (bound.delimited && header.tag === ITEM_DELIMITER) return header.headerOffset;
        throw new DatasetStructureError(header.headerOffset, `unexpected ${formatTag(header.tag)} at byte ${header.headerOffset}`);
      }
      const node = this.elementNode(parentPath, header);
      out.push(node);
      this.context = node.path;
      await this.readValue(node, header, syntax, parentPath === undefined);
      this.context = parentPath;
    }
  }

  private async readHeader(syntax: DatasetSyntax): Promise<Header> {
    const headerOffset = this.source.position;
    const bytes = await this.source.read(8);
    const u16 = (at: number) => (syntax.littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
    const u32 = (at: number) => (syntax.littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
    const tag = ((u16(0) << 16) | u16(2)) >>> 0;
    // Items and delimiters are tag + 4-byte length in every syntax.
    if (tag >>> 16 === 0xfffe) return { headerOffset, headerLength: 8, tag, vr: '', vrInHeader: false, length: u32(4) };
    if (!syntax.explicitVr) return { headerOffset, headerLength: 8, tag, vr: implicitVrOf(tag), vrInHeader: false, length: u32(4) };
    const vr = bytes.toString('latin1', 4, 6);
    if (!VR_PATTERN.test(vr)) {
      throw new DatasetStructureError(headerOffset + 4, `element ${formatTag(tag)} at byte ${headerOffset} has no valid VR (bytes ${bytes.subarray(4, 6).toString('hex')})`);
    }
    if (SHORT_VRS.has(vr)) return { headerOffset, headerLength: 8, tag, vr, vrInHeader: true, length: u16(6) };
    const lengthBytes = await this.source.read(4);
    const length = syntax.littleEndian ? lengthBytes.readUInt32LE(0) : lengthBytes.readUInt32BE(0);
    return { headerOffset, headerLength: 12, tag, vr, vrInHeader: true, length };
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
    };
  }

  private async readValue(node: ElementNode, header: Header, syntax: DatasetSyntax, topLevel: boolean): Promise<void> {
    if (node.undefinedLength) {
      if (node.vr === 'SQ' || node.vr === 'UN') {
        // An explicit UN of undefined length holds implicit-VR items (CP-246); an implicit one keeps the syntax.
        const content = node.vr === 'UN' && header.vrInHeader ? IMPLICIT_LE : syntax;
        return this.readItems(node, content);
      }
      // Pixel data, and any other OB/OW of undefined length, is a sequence of fragments.
      return this.readFragments(node);
    }
    if (node.vr === 'SQ' || (node.vr === 'UN' && !header.vrInHeader && (await this.startsWithItem(syntax, node.valueLength)))) {
      return this.readItems(node, syntax);
    }
    if (topLevel && node.tag === PIXEL_DATA && (await this.readFrames(node, syntax))) return;
    await this.readLeaf(node, syntax, topLevel);
  }

  /** An implicit-VR element the dictionary does not know is a sequence when its value opens with an item. */
  private async startsWithItem(syntax: DatasetSyntax, length: number): Promise<boolean> {
    if (length < 8) return false;
    const head = await this.source.peek(4);
    if (head.length < 4) return false;
    const tag = syntax.littleEndian ? ((head.readUInt16LE(0) << 16) | head.readUInt16LE(2)) >>> 0 : head.readUInt32BE(0);
    return tag === ITEM;
  }

  private async readItems(node: ElementNode, syntax: DatasetSyntax): Promise<void> {
    const items: ItemNode[] = [];
    node.items = items;
    const end = node.undefinedLength ? undefined : node.valueOffset + node.valueLength;
    for (let index = 0; ; index++) {
      if (end !== undefined && this.source.position >= end) break;
      this.checkStop();
      const header = await this.readHeader(syntax);
      if (node.undefinedLength && header.tag === SEQUENCE_DELIMITER) {
        node.delimiterOffset = header.headerOffset;
        break;
      }
      if (header.tag !== ITEM) {
        throw new DatasetStructureError(header.headerOffset, `expected an item (FFFE,E000) at byte ${header.headerOffset}, found ${formatTag(header.tag)}`);
      }
      const item = this.itemNode(node.path, index, header);
      items.push(item);
      await this.readItemContent(item, syntax);
    }
    this.closeContainer(node, end);
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

  private async readItemContent(item: ItemNode, syntax: DatasetSyntax): Promise<void> {
    const saved = this.context;
    this.context = item.path;
    if (item.undefinedLength) {
      const delimiterOffset = await this.readElements(item.path, syntax, { delimited: true }, item.elements);
      item.delimiterOffset = delimiterOffset;
      item.valueLength = delimiterOffset! - item.valueOffset;
      item.endOffset = delimiterOffset! + 8;
    } else {
      await this.readElements(item.path, syntax, { delimited: false, end: item.valueOffset + item.valueLength }, item.elements);
    }
    this.context = saved;
  }

  private closeContainer(node: ElementNode, definedEnd: number | undefined): void {
    if (definedEnd !== undefined) {
      if (this.source.position > definedEnd) {
        throw new DatasetStructureError(definedEnd, `an item runs past the end of its sequence (byte ${definedEnd})`);
      }
      return;
    }
    node.valueLength = node.delimiterOffset! - node.valueOffset;
    node.endOffset = node.delimiterOffset! + 8;
  }

  private async readFragments(node: ElementNode): Promise<void> {
    const fragments: FragmentNode[] = [];
    node.fragments = fragments;
    // Fragments are byte streams (PS3.5 §A.4): little endian item headers, no byte swapping of their content.
    const syntax: DatasetSyntax = { explicitVr: true, littleEndian: true };
    for (let itemIndex = 0; ; itemIndex++) {
      this.checkStop();
      const header = await this.readHeader(syntax);
      if (header.tag === SEQUENCE_DELIMITER) {
        node.delimiterOffset = header.headerOffset;
        break;
      }
      if (header.tag !== ITEM || header.length === UNDEFINED_LENGTH) {
        throw new DatasetStructureError(header.headerOffset, `expected a fragment item of defined length at byte ${header.headerOffset}, found ${formatTag(header.tag)}`);
      }
      const valueOffset = header.headerOffset + 8;
      const fragment: FragmentNode = {
        type: 'fragment',
        itemIndex,
        path: fragmentPath(node.path, itemIndex),
        headerOffset: header.headerOffset,
        headerLength: 8,
        vrInHeader: false,
        valueOffset,
        valueLength: header.length,
        endOffset: valueOffset + header.length,
        ...EMPTY_HASHES,
      };
      fragments.push(fragment);
      Object.assign(fragment, await this.consume(header.length, 0));
    }
    this.closeContainer(node, undefined);
    Object.assign(node, combineHashes(fragments));
  }

  /** Native pixel data in frames when the image attributes say how; false when they do not fit the value. */
  private async readFrames(node: ElementNode, syntax: DatasetSyntax): Promise<boolean> {
    const frameLength = this.frameLength();
    const frameCount = this.geometry.numberOfFrames ?? 1;
    if (frameLength === undefined || frameCount < 1 || frameLength * frameCount > node.valueLength) return false;
    const swap = syntax.littleEndian ? 0 : swapUnitOf(node.vr);
    const frames: FrameNode[] = [];
    node.frames = frames;
    const segments = Array.from({ length: frameCount }, (_, index) => ({ index, length: frameLength }));
    const rest = node.valueLength - frameLength * frameCount;
    if (rest > 0) segments.push({ index: -1, length: rest });
    let offset = node.valueOffset;
    for (const segment of segments) {
      const frame: FrameNode = { type: 'frame', index: segment.index, path: framePath(node.path, segment.index), valueOffset: offset, valueLength: segment.length, ...EMPTY_HASHES };
      frames.push(frame);
      Object.assign(frame, await this.consume(segment.length, swap));
      offset += segment.length;
    }
    Object.assign(node, combineHashes(frames));
    return true;
  }

  private frameLength(): number | undefined {
    const { rows, columns, bitsAllocated, samplesPerPixel } = this.geometry;
    if (!rows || !columns || !bitsAllocated || bitsAllocated % 8 !== 0) return undefined;
    return rows * columns * (samplesPerPixel ?? 1) * (bitsAllocated / 8);
  }

  private async readLeaf(node: ElementNode, syntax: DatasetSyntax, topLevel: boolean): Promise<void> {
    const swap = syntax.littleEndian ? 0 : swapUnitOf(node.vr);
    if (node.valueLength <= RETAINED_VALUE_BYTES) {
      const value = await this.source.read(node.valueLength);
      node.value = value;
      Object.assign(node, this.options.hashValues ? hashValue(value, swap) : EMPTY_HASHES);
      if (topLevel) this.noteGeometry(node.tag, value, syntax);
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

  private noteGeometry(tag: number, value: Buffer, syntax: DatasetSyntax): void {
    const us = () => (value.length >= 2 ? (syntax.littleEndian ? value.readUInt16LE(0) : value.readUInt16BE(0)) : undefined);
    switch (tag) {
      case 0x00280002:
        this.geometry.samplesPerPixel = us();
        break;
      case 0x00280010:
        this.geometry.rows = us();
        break;
      case 0x00280011:
        this.geometry.columns = us();
        break;
      case 0x00280100:
        this.geometry.bitsAllocated = us();
        break;
      case 0x00280008: {
        const frames = Number.parseInt(value.toString('latin1').trim(), 10);
        this.geometry.numberOfFrames = Number.isFinite(frames) ? frames : undefined;
        break;
      }
    }
  }
}
