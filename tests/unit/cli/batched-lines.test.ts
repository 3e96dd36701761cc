import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchedLines } from '../../../src-main/cli/batched-lines.ts';

describe('BatchedLines', () => {
  let written: string[];
  let lines: BatchedLines;

  beforeEach(() => {
    vi.useFakeTimers();
    written = [];
    lines = new BatchedLines((text) => written.push(text), 100);
  });
  afterEach(() => vi.useRealTimers());

  it('writes the lines added within its delay together, in order, once the delay is over', () => {
    lines.add('[1/3] ok');
    lines.add('[2/3] ok');
    vi.advanceTimersByTime(99);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toEqual(['[1/3] ok\n[2/3] ok\n']);
  });

  it('starts a new batch for a line added after a write', () => {
    lines.add('a');
    vi.advanceTimersByTime(100);
    lines.add('b');
    vi.advanceTimersByTime(100);
    expect(written).toEqual(['a\n', 'b\n']);
  });

  it('writes what waits at once on flush, and nothing more when the delay ends', () => {
    lines.add('last');
    lines.flush();
    expect(written).toEqual(['last\n']);
    vi.advanceTimersByTime(1000);
    expect(written).toEqual(['last\n']);
  });

  it('writes nothing on flush when no line waits', () => {
    lines.flush();
    expect(written).toEqual([]);
  });
});
