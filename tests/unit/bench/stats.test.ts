import { describe, expect, it } from 'vitest';
import { compareRounds, median, summarizeSide } from '../../../bench/stats.ts';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('compareRounds', () => {
  it('reports the median of per-round ratios, not the ratio of the medians', () => {
    // Drift between rounds: the ratio of medians would be 4/2 = 2, the per-round ratios are 1.5, 2.5, 1.5.
    const summary = compareRounds([{ a: 2, b: 3 }, { a: 1, b: 2.5 }, { a: 4, b: 6 }], 100, 1e8);
    expect(summary.ratios).toEqual([1.5, 2.5, 1.5]);
    expect(summary.ratioMedian).toBe(1.5);
    expect(summary.ratioMin).toBe(1.5);
    expect(summary.ratioMax).toBe(2.5);
    expect(summary.a.medianSeconds).toBe(2);
    expect(summary.b.medianSeconds).toBe(3);
  });

  it('derives files/s and decimal MB/s as medians of the per-run rates', () => {
    const side = summarizeSide([2, 4], 1000, 500e6);
    expect(side.filesPerSecond).toBe((500 + 250) / 2);
    expect(side.megabytesPerSecond).toBe((250 + 125) / 2);
  });

  it('refuses a zero or negative timing instead of reporting infinite throughput', () => {
    expect(() => summarizeSide([1, 0], 10, 10)).toThrow(/took 0 s/);
    expect(() => compareRounds([], 10, 10)).toThrow(/no rounds/);
  });
});
