// @vitest-environment happy-dom
import { describe, expect, test, vi } from 'vitest';
import { createFrameBatcher } from '../../../../src-renderer/src/lib/frame-batcher.ts';

describe('createFrameBatcher', () => {
  test('delivers everything pushed before a frame in one batch, in order', async () => {
    const batches: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => batches.push(items));
    for (let i = 0; i < 1000; i++) batcher.push(i);
    expect(batches).toEqual([]);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    batcher.dispose();
  });

  test('flushes on a timer when no frame comes (a hidden window)', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const raf = vi.spyOn(globalThis, 'requestAnimationFrame').mockImplementation(() => 1);
    try {
      const batches: string[][] = [];
      const batcher = createFrameBatcher<string>((items) => batches.push(items), { maxDelayMs: 200 });
      batcher.push('a');
      vi.advanceTimersByTime(199);
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(batches).toEqual([['a']]);
    } finally {
      raf.mockRestore();
      vi.useRealTimers();
    }
  });

  test('a backlog past maxPending is delivered at once', () => {
    const batches: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => batches.push(items), { maxPending: 3 });
    batcher.push(1);
    batcher.push(2);
    expect(batches).toEqual([]);
    batcher.push(3);
    expect(batches).toEqual([[1, 2, 3]]);
    batcher.dispose();
  });

  test('after dispose nothing is delivered', async () => {
    const batches: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => batches.push(items));
    batcher.push(1);
    batcher.dispose();
    batcher.push(2);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(batches).toEqual([]);
  });
});
