import { describe, expect, it } from 'vitest';
import {
  INLINE_RECORD_MAX_BYTES,
  JournalWritePath,
  POOL_WRITES_WHEN_SLOW,
  SLOW_WRITE_MS,
} from '../../../src-main/store/journal-write-path.ts';

const SMALL = 12 * 1024;

/** How many of the next `n` small records the path writes inline. */
function inlineOf(path: JournalWritePath, n: number): number {
  let inline = 0;
  for (let i = 0; i < n; i++) if (path.inline(SMALL)) inline++;
  return inline;
}

describe('JournalWritePath', () => {
  it('writes small records inline and large ones through the pool', () => {
    const path = new JournalWritePath();
    expect(path.inline(SMALL)).toBe(true);
    expect(path.inline(INLINE_RECORD_MAX_BYTES)).toBe(true);
    expect(path.inline(INLINE_RECORD_MAX_BYTES + 1)).toBe(false);
  });

  it('writes through the pool while its owner does not allow an inline write (several associations open)', () => {
    let alone = false;
    const path = new JournalWritePath(() => alone);
    expect(path.inline(SMALL)).toBe(false);
    alone = true;
    expect(path.inline(SMALL)).toBe(true);
  });

  it('sends small records through the pool once inline writes are slow, then measures the disk again', () => {
    const path = new JournalWritePath();
    // A spinning disk's synchronized write: a few inline writes find it slow.
    let inline = 0;
    for (; inline < 100 && path.inline(SMALL); inline++) path.wroteInline(8);
    expect(inline).toBeLessThan(5);
    expect(inlineOf(path, POOL_WRITES_WHEN_SLOW - 1)).toBe(0);
    // Then inline writes measure it afresh; a disk that became quick keeps them.
    expect(path.inline(SMALL)).toBe(true);
    for (let i = 0; i < 100; i++) path.wroteInline(0.2);
    expect(inlineOf(path, 10)).toBe(10);
  });

  it('keeps writing inline through a single stall', () => {
    const path = new JournalWritePath();
    for (let i = 0; i < 20; i++) path.wroteInline(0.15);
    path.wroteInline(10);
    expect(inlineOf(path, 10)).toBe(10);
  });

  it('finds the disk slow only when the inline writes average more than the limit', () => {
    const path = new JournalWritePath();
    for (let i = 0; i < 200; i++) path.wroteInline(SLOW_WRITE_MS * 0.9);
    expect(inlineOf(path, 10)).toBe(10);
  });
});
