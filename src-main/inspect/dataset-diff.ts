/**
 * Compares two datasets as they are walked, in lockstep, and names each difference once, at its
 * level: elements are matched by tag within their dataset or item (both are in ascending tag
 * order), items by index, frames and fragments by number. Containers carry no value of their own,
 * so a change inside an item is reported at the changed element and never again as a change of the
 * item or sequence around it; offsets are reported, never compared. Only the open path and the
 * changes found are held, so memory does not grow with the number of elements.
 */
import type { Change, ChangeKind, ElementSide, LengthEncodingChange } from '../api/types/change-kinds.ts';
import type { ElementNode, FragmentNode, FrameNode, ItemNode, WalkEvent, WalkProblem } from './element-tree.ts';
import { isGroupLength, keywordOf, PIXEL_DATA, TRAILING_PADDING } from './tag-dictionary.ts';
import { displayValue, isPaddableVr, withoutPadding } from './value-display.ts';

export interface DiffContext {
  /** Per file: whether its dataset is little endian (for showing numbers). */
  littleEndian: { a: boolean; b: boolean };
}

export interface StreamDiff {
  changes: Change[];
  /** Why a walk stopped early; the comparison stopped there too. */
  problems: { a?: WalkProblem; b?: WalkProblem };
  /** Top-level elements seen in each dataset. */
  elementCount: { a: number; b: number };
  /** Whether native pixel data in one file met encapsulated pixel data in the other (not compared). */
  pixelEncodingDiffers: boolean;
}

/** A walk stopped with a problem: nothing after it can be compared. */
class Halt extends Error {}

type EndEvent = Extract<WalkEvent, { type: 'end' }>;

/** One walk, read one event at a time with a look-ahead of one. */
class Cursor {
  private readonly events: AsyncIterator<WalkEvent>;
  private ahead: WalkEvent | undefined;
  private depth = 0;
  problem: WalkProblem | undefined;
  topLevelElements = 0;

  constructor(events: AsyncIterator<WalkEvent>) {
    this.events = events;
  }

  async peek(): Promise<WalkEvent> {
    if (!this.ahead) {
      const next = await this.events.next();
      // A walk always ends with the dataset's end or a problem; running out otherwise is a stop.
      const event: WalkEvent = next.done
        ? { type: 'problem', problem: { offset: -1, path: undefined, reason: 'the walk ended early' } }
        : next.value;
      if (event.type === 'problem') {
        this.problem ??= event.problem;
        throw new Halt();
      }
      this.ahead = event;
    }
    return this.ahead;
  }

  async take(): Promise<WalkEvent> {
    const event = await this.peek();
    this.ahead = undefined;
    if (event.type === 'element' && this.depth === 0) this.topLevelElements++;
    if ((event.type === 'element' && event.node.content !== 'value') || event.type === 'item') this.depth++;
    if (event.type === 'end' && event.container) this.depth--;
    return event;
  }

  /** Consumes the content of a container just taken, up to its end; returns how many children it held directly. */
  async skipContent(container: ElementNode | ItemNode): Promise<number> {
    if (container.type === 'element' && container.content === 'value') return 0;
    const depth = this.depth;
    let children = 0;
    for (;;) {
      const before = this.depth;
      const event = await this.take();
      if (event.type === 'end' && event.container === container) return children;
      if (event.type !== 'end' && before === depth) children++;
    }
  }
}

export async function diffDatasetStreams(
  a: AsyncIterator<WalkEvent>,
  b: AsyncIterator<WalkEvent>,
  context: DiffContext,
): Promise<StreamDiff> {
  const diff = new LockstepDiff(new Cursor(a), new Cursor(b), context);
  try {
    await diff.elements();
  } catch (err) {
    if (!(err instanceof Halt)) throw err;
  }
  return {
    changes: diff.out,
    problems: { ...(diff.a.problem ? { a: diff.a.problem } : {}), ...(diff.b.problem ? { b: diff.b.problem } : {}) },
    elementCount: { a: diff.a.topLevelElements, b: diff.b.topLevelElements },
    pixelEncodingDiffers: diff.pixelEncodingDiffers,
  };
}

class LockstepDiff {
  readonly a: Cursor;
  readonly b: Cursor;
  readonly out: Change[] = [];
  pixelEncodingDiffers = false;
  private readonly context: DiffContext;

  constructor(a: Cursor, b: Cursor, context: DiffContext) {
    this.a = a;
    this.b = b;
    this.context = context;
  }

  /** The next event of each walk, left for a take. */
  private async peekBoth(): Promise<[WalkEvent, WalkEvent]> {
    return [await this.a.peek(), await this.b.peek()];
  }

  private async takeBoth(): Promise<void> {
    await this.a.take();
    await this.b.take();
  }

  /** The elements of one dataset or item in both files, up to and including both ends. */
  async elements(): Promise<{ endA: EndEvent; endB: EndEvent }> {
    const groups = new GroupLengths(this.out);
    for (;;) {
      const [ea, eb] = await this.peekBoth();
      if (ea.type === 'end' && eb.type === 'end') {
        await this.takeBoth();
        groups.finish();
        return { endA: ea, endB: eb };
      }
      const nodeA = ea.type === 'element' ? ea.node : undefined;
      const nodeB = eb.type === 'element' ? eb.node : undefined;
      if (nodeA && (!nodeB || nodeA.tag < nodeB.tag)) {
        groups.enter(nodeA.tag);
        await this.a.take();
        await this.a.skipContent(nodeA);
        this.out.push(this.onlyIn('a', nodeA, nodeB ? nodeB.headerOffset : offsetOfEnd(eb)));
      } else if (nodeB && (!nodeA || nodeB.tag < nodeA.tag)) {
        groups.enter(nodeB.tag);
        await this.b.take();
        await this.b.skipContent(nodeB);
        this.out.push(this.onlyIn('b', nodeB, nodeA ? nodeA.headerOffset : offsetOfEnd(ea)));
      } else if (nodeA && nodeB) {
        groups.enter(nodeA.tag);
        await this.takeBoth();
        await this.pair(nodeA, nodeB, groups);
      } else {
        throw new Error(`walks out of step: ${ea.type} in A, ${eb.type} in B`);
      }
    }
  }

  private async pair(a: ElementNode, b: ElementNode, groups: GroupLengths): Promise<void> {
    // An implicit-VR file states no VR, so only two written VRs can disagree.
    const vrDiffers = a.vrInHeader && b.vrInHeader && a.vr !== b.vr;
    if (a.content === 'items' && b.content === 'items') {
      const at = this.out.length;
      const encoding = await this.sequences(a, b);
      const inside = this.out.length - at;
      const heads: Change[] = [];
      if (vrDiffers) heads.push(this.vrChanged(a, b, inside === 0, inside === 0 ? 'items equal' : 'items differ'));
      if (encoding.length > 0)
        heads.push({ ...this.change('length-encoding-changed', a, b, describeEncoding(encoding)), lengthEncoding: encoding });
      this.out.splice(at, 0, ...heads);
      return;
    }
    if (a.content === 'fragments' && b.content === 'fragments' && !vrDiffers) return this.pieces(a);
    if (a.content === 'frames' && b.content === 'frames' && !vrDiffers) return this.pieces(a);
    if (a.content !== 'value' || b.content !== 'value') {
      await this.a.skipContent(a);
      await this.b.skipContent(b);
      const pixelEncoding = (a.content === 'fragments' && b.content === 'frames') || (a.content === 'frames' && b.content === 'fragments');
      // Native against encapsulated pixel data is the transfer syntax change, reported once for the file.
      if (pixelEncoding && !vrDiffers) {
        this.pixelEncodingDiffers = true;
        return;
      }
      if (vrDiffers) this.out.push(this.vrChanged(a, b, false, 'value encoded differently'));
      else this.out.push(this.change('value-changed', a, b, `${contentWord(a)} in A, ${contentWord(b)} in B`));
      return;
    }
    const equal = a.decodedHash === b.decodedHash;
    if (vrDiffers) {
      this.out.push(this.vrChanged(a, b, equal, equal ? 'value bytes equal' : 'value bytes differ'));
      return;
    }
    if (equal) {
      if (isGroupLength(a.tag)) groups.lengthUnchanged();
      return;
    }
    if (isGroupLength(a.tag)) {
      groups.lengthChanged(this.change('value-changed', a, b, `${this.shownOrSize(a, 'a')} → ${this.shownOrSize(b, 'b')}`));
      return;
    }
    if (a.tag === TRAILING_PADDING) {
      this.out.push(this.change('padding-changed', a, b, `Data Set Trailing Padding changed (${a.valueLength} → ${b.valueLength} bytes)`));
    } else if (isPaddingOnly(a, b)) {
      this.out.push(
        this.change(
          'padding-changed',
          a,
          b,
          `value padding: ${this.shown(a, 'a')} (${a.valueLength} bytes) → ${this.shown(b, 'b')} (${b.valueLength} bytes)`,
        ),
      );
    } else {
      this.out.push(this.change('value-changed', a, b, `${this.shownOrSize(a, 'a')} → ${this.shownOrSize(b, 'b')}`));
    }
  }

  /** Items of two sequences by index; returns whose length encoding changed (the sequence's, the items'). */
  private async sequences(a: ElementNode, b: ElementNode): Promise<LengthEncodingChange[]> {
    const encoding: LengthEncodingChange[] = [];
    if (a.undefinedLength !== b.undefinedLength) encoding.push({ what: 'sequence', a: lengthWord(a), b: lengthWord(b) });
    for (;;) {
      const [ea, eb] = await this.peekBoth();
      if (ea.type === 'end' && eb.type === 'end') {
        await this.takeBoth();
        return encoding;
      }
      if (ea.type === 'item' && eb.type === 'item') {
        await this.takeBoth();
        if (ea.node.undefinedLength !== eb.node.undefinedLength)
          encoding.push({ what: ea.node.index, a: lengthWord(ea.node), b: lengthWord(eb.node) });
        await this.elements();
      } else if (ea.type === 'item') {
        await this.a.take();
        const count = await this.a.skipContent(ea.node);
        this.out.push(this.itemOnlyIn('a', ea.node, count, offsetOfEnd(eb)));
      } else if (eb.type === 'item') {
        await this.b.take();
        const count = await this.b.skipContent(eb.node);
        this.out.push(this.itemOnlyIn('b', eb.node, count, offsetOfEnd(ea)));
      } else {
        throw new Error(`walks out of step in ${a.path}: ${ea.type} in A, ${eb.type} in B`);
      }
    }
  }

  /** Frames or fragments of the pixel data element `a` and its counterpart in B, by number. */
  private async pieces(a: ElementNode): Promise<void> {
    for (;;) {
      const [ea, eb] = await this.peekBoth();
      if (ea.type === 'end' && eb.type === 'end') {
        await this.takeBoth();
        return;
      }
      const pieceA = ea.type === 'frame' || ea.type === 'fragment' ? ea.node : undefined;
      const pieceB = eb.type === 'frame' || eb.type === 'fragment' ? eb.node : undefined;
      if (!pieceA && !pieceB) throw new Error(`walks out of step in ${a.path}: ${ea.type} in A, ${eb.type} in B`);
      if (pieceA) await this.a.take();
      if (pieceB) await this.b.take();
      if (pieceA && pieceB && pieceA.decodedHash === pieceB.decodedHash) continue;
      this.out.push(this.pieceChange(pieceA, pieceB, pieceA ? undefined : offsetOfEnd(ea), pieceB ? undefined : offsetOfEnd(eb)));
    }
  }

  private pieceChange(
    a: FrameNode | FragmentNode | undefined,
    b: FrameNode | FragmentNode | undefined,
    endA: number | undefined,
    endB: number | undefined,
  ): Change {
    const piece = (a ?? b)!;
    const padding = piece.type === 'frame' && piece.index < 0;
    const kind: ChangeKind = padding ? 'padding-changed' : piece.type === 'frame' ? 'pixel-frame-changed' : 'pixel-fragment-changed';
    const what =
      piece.type === 'frame'
        ? padding
          ? 'pixel data padding after the last frame'
          : `frame ${piece.index}`
        : piece.itemIndex === 0
          ? 'basic offset table'
          : `fragment ${piece.itemIndex - 1}`;
    const description =
      a && b
        ? `${what} differs (${a.valueLength} → ${b.valueLength} bytes)`
        : a
          ? `${what} only in A (${a.valueLength} bytes)`
          : `${what} only in B (${b!.valueLength} bytes)`;
    return {
      kind,
      path: piece.path,
      keyword: keywordOf(PIXEL_DATA)!,
      ...(a ? { a: pieceSide(a) } : {}),
      ...(b ? { b: pieceSide(b) } : {}),
      ...(!a ? { missingAt: { a: endA! } } : !b ? { missingAt: { b: endB! } } : {}),
      description,
    };
  }

  private vrChanged(a: ElementNode, b: ElementNode, valueEqual: boolean, note: string): Change {
    const toUn = b.vr === 'UN' ? ' (to UN)' : a.vr === 'UN' ? ' (from UN)' : '';
    return { ...this.change('vr-changed', a, b, `${a.vr} → ${b.vr}${toUn}, ${note}`), valueEqual };
  }

  private onlyIn(side: 'a' | 'b', node: ElementNode, otherOffset: number): Change {
    const kind: ChangeKind =
      node.tag === TRAILING_PADDING
        ? 'padding-changed'
        : isGroupLength(node.tag)
          ? side === 'a'
            ? 'group-length-removed'
            : 'group-length-added'
          : side === 'a'
            ? 'element-removed'
            : 'element-added';
    const size = `${node.vr}, ${node.undefinedLength ? 'undefined length' : `${node.valueLength} bytes`}`;
    const description =
      node.tag === TRAILING_PADDING
        ? `Data Set Trailing Padding ${side === 'a' ? 'removed' : 'added'} (${node.valueLength} bytes)`
        : `only in ${side === 'a' ? 'A' : 'B'} (${size}${node.value !== undefined ? `, ${this.shown(node, side)}` : ''})`;
    return {
      kind,
      path: node.path,
      ...keywordField(node.tag),
      [side]: this.side(node, side),
      missingAt: side === 'a' ? { b: otherOffset } : { a: otherOffset },
      description,
    };
  }

  private itemOnlyIn(side: 'a' | 'b', item: ItemNode, elements: number, otherOffset: number): Change {
    return {
      kind: side === 'a' ? 'element-removed' : 'element-added',
      path: item.path,
      [side]: itemSide(item),
      missingAt: side === 'a' ? { b: otherOffset } : { a: otherOffset },
      description: `item ${item.index} only in ${side === 'a' ? 'A' : 'B'} (${elements} element${elements === 1 ? '' : 's'})`,
    };
  }

  private change(kind: ChangeKind, a: ElementNode, b: ElementNode, description: string): Change {
    return { kind, path: a.path, ...keywordField(a.tag), a: this.side(a, 'a'), b: this.side(b, 'b'), description };
  }

  private side(node: ElementNode, file: 'a' | 'b'): ElementSide {
    return {
      vr: node.vr,
      offset: node.headerOffset,
      headerLength: node.headerLength,
      valueOffset: node.valueOffset,
      valueLength: node.valueLength,
      undefinedLength: node.undefinedLength,
      endOffset: node.endOffset,
      ...(node.value !== undefined ? { value: this.shown(node, file) } : {}),
    };
  }

  private shown(node: ElementNode, file: 'a' | 'b'): string {
    return node.value !== undefined ? displayValue(node.vr, node.value, this.context.littleEndian[file]) : `(${node.valueLength} bytes)`;
  }

  private shownOrSize(node: ElementNode, file: 'a' | 'b'): string {
    return node.value !== undefined ? this.shown(node, file) : `${node.valueLength} bytes`;
  }
}

/**
 * A group length's value follows from the rest of its group: when anything else in the group
 * changed, its new value is a consequence, not a change of its own. So a changed group length is
 * held until its group ends at this level and reported only if nothing else in the group changed.
 */
class GroupLengths {
  private readonly out: Change[];
  private group: number | undefined;
  private groupStart = 0;
  private held: { change: Change; at: number } | undefined;

  constructor(out: Change[]) {
    this.out = out;
  }

  /** Called before each element of the level: closes the previous group when the group number changes. */
  enter(tag: number): void {
    const group = tag >>> 16;
    if (group === this.group) return;
    this.finish();
    this.group = group;
    this.groupStart = this.out.length;
  }

  lengthChanged(change: Change): void {
    this.held = { change, at: this.out.length };
  }

  lengthUnchanged(): void {
    this.held = undefined;
  }

  finish(): void {
    if (this.held && this.out.length === this.groupStart) this.out.splice(this.held.at, 0, this.held.change);
    this.held = undefined;
  }
}

function offsetOfEnd(event: WalkEvent): number {
  if (event.type === 'end') return event.offset;
  if (event.type === 'element' || event.type === 'item') return event.node.headerOffset;
  return event.type === 'frame' ? event.node.valueOffset : event.type === 'fragment' ? event.node.headerOffset : -1;
}

function isPaddingOnly(a: ElementNode, b: ElementNode): boolean {
  if (a.value === undefined || b.value === undefined || !isPaddableVr(a.vr) || !isPaddableVr(b.vr)) return false;
  return withoutPadding(a.value).equals(withoutPadding(b.value));
}

function describeEncoding(encoding: LengthEncodingChange[]): string {
  return encoding.map((e) => `${e.what === 'sequence' ? 'sequence' : `item ${e.what}`} ${e.a} → ${e.b} length`).join('; ');
}

function contentWord(node: ElementNode): string {
  return node.content === 'items' ? 'holds items' : node.content === 'value' ? 'holds a plain value' : `holds pixel ${node.content}`;
}

function lengthWord(node: { undefinedLength: boolean }): 'defined' | 'undefined' {
  return node.undefinedLength ? 'undefined' : 'defined';
}

function keywordField(tag: number): { keyword?: string } {
  const keyword = keywordOf(tag);
  return keyword ? { keyword } : {};
}

function pieceSide(piece: FragmentNode | FrameNode): ElementSide {
  const headerLength = piece.type === 'fragment' ? piece.headerLength : 0;
  const offset = piece.type === 'fragment' ? piece.headerOffset : piece.valueOffset;
  return {
    offset,
    headerLength,
    valueOffset: piece.valueOffset,
    valueLength: piece.valueLength,
    undefinedLength: false,
    endOffset: piece.valueOffset + piece.valueLength,
  };
}

function itemSide(item: ItemNode): ElementSide {
  return {
    offset: item.headerOffset,
    headerLength: item.headerLength,
    valueOffset: item.valueOffset,
    valueLength: item.valueLength,
    undefinedLength: item.undefinedLength,
    endOffset: item.endOffset,
  };
}
