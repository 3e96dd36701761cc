/**
 * A whole walk as a tree of elements, items, fragments and frames: for views that look around a
 * dataset (an element browser, tests). Comparisons and byte ranges read the walk as events instead
 * and keep nothing of it.
 */
import type { ByteSource } from './byte-source.ts';
import type { DatasetWalk, ElementNode, ItemNode } from './element-tree.ts';
import { walkEvents, type WalkOptions } from './element-walker.ts';

export async function walkDataset(source: ByteSource, options: WalkOptions & { offsetSpace?: 'file' | 'inflated' }): Promise<DatasetWalk> {
  const startOffset = source.position;
  const walk: DatasetWalk = { elements: [], offsetSpace: options.offsetSpace ?? 'file', startOffset, endOffset: startOffset };
  // Open containers, innermost last.
  const open: Array<ElementNode | ItemNode> = [];
  const innermost = () => open[open.length - 1];
  for await (const event of walkEvents(source, options)) {
    switch (event.type) {
      case 'element': {
        const parent = innermost();
        (parent?.type === 'item' ? parent.elements : walk.elements).push(event.node);
        if (event.node.content === 'items') event.node.items = [];
        if (event.node.content === 'fragments') event.node.fragments = [];
        if (event.node.content === 'frames') event.node.frames = [];
        if (event.node.content !== 'value') open.push(event.node);
        break;
      }
      case 'item':
        (innermost() as ElementNode).items!.push(event.node);
        open.push(event.node);
        break;
      case 'fragment':
        (innermost() as ElementNode).fragments!.push(event.node);
        break;
      case 'frame':
        (innermost() as ElementNode).frames!.push(event.node);
        break;
      case 'end':
        if (event.container) open.pop();
        else walk.endOffset = event.offset;
        break;
      case 'problem':
        walk.problem = event.problem;
        break;
    }
  }
  // Stopped early or failed: whatever is still open has no known end.
  for (const node of open) node.truncated = true;
  if (open.length > 0 || walk.problem) walk.endOffset = source.position;
  return walk;
}
