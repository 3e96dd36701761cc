import { describe, expect, it } from 'vitest';
import { INLINE_RECORD_MAX_BYTES, JournalWritePath, SLOW_WRITE_MS } from '../../../src-main/store/journal-write-path.ts';

describe('JournalWritePath', () => {
  it('writes small records inline and large ones through the pool', () => {
    const path = new JournalWritePath();
    expect(path.inline(12 * 1024)).toBe(true);
    expect(path.inline(INLINE_RECORD_MAX_BYTES)).toBe(true);
    expect(path.inline(INLINE_RECORD_MAX_BYTES + 1)).toBe(false);
  });

  it('writes through the pool while its owner does not allow an inline write (several associations receiving)', () => {
    let alone = false;
    const path = new JournalWritePath(() => alone);
    expect(path.inline(12 * 1024)).toBe(false);
    alone = true;
    expect(path.inline(12 * 1024)).toBe(true);
  });

  it('sends small records through the pool while the disk is slow, and inline again once it is fast', () => {
    const path = new JournalWritePath();
    for (let i = 0; i < 20; i++) path.wrote(12 * 1024, 8); // a spinning disk's synchronized write
    expect(path.inline(12 * 1024)).toBe(false);
    for (let i = 0; i < 60; i++) path.wrote(12 * 1024, 0.3); // through the pool, hand-offs included
    expect(path.inline(12 * 1024)).toBe(true);
  });

  it('keeps writing inline through a single stall', () => {
    const path = new JournalWritePath();
    for (let i = 0; i < 20; i++) path.wrote(12 * 1024, 0.15);
    path.wrote(12 * 1024, 10);
    expect(path.inline(12 * 1024)).toBe(true);
  });

  it('does not count large records, whose writes are long on any disk', () => {
    const path = new JournalWritePath();
    for (let i = 0; i < 20; i++) path.wrote(INLINE_RECORD_MAX_BYTES + 1, 10 * SLOW_WRITE_MS);
    expect(path.inline(12 * 1024)).toBe(true);
  });
});
