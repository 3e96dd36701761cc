import { describe, expect, it } from 'vitest';
import { median, ratioOverRounds, summarizeSide } from '../../../bench/stats.ts';

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

describe('ratioOverRounds', () => {
  it('reports the median of per-round ratios, not the ratio of the medians', () => {
    // Drift between rounds: the ratio of the medians would be 3/2 = 1.5; the per-round ratios are 1.5, 2.5, 2.5.
    const summary = ratioOverRounds(
      [
        { dcmtk: 2, gateway: 3 },
        { dcmtk: 1, gateway: 2.5 },
        { dcmtk: 4, gateway: 10 },
      ],
      'gateway',
      'dcmtk',
    );
    expect(summary.ratios).toEqual([1.5, 2.5, 2.5]);
    expect(summary.median).toBe(2.5);
    expect(summary.min).toBe(1.5);
    expect(summary.max).toBe(2.5);
  });

  it('compares any two of several sides run in the same rounds', () => {
    const rounds = [
      { dcmtk: 1, gateway: 2, orthanc: 20 },
      { dcmtk: 2, gateway: 3, orthanc: 30 },
    ];
    expect(ratioOverRounds(rounds, 'gateway', 'orthanc').ratios).toEqual([0.1, 0.1]);
    expect(ratioOverRounds(rounds, 'orthanc', 'dcmtk').median).toBe(17.5);
  });

  it('refuses no rounds, or a round without one of the sides', () => {
    expect(() => ratioOverRounds([], 'gateway', 'dcmtk')).toThrow(/no rounds/);
    expect(() => ratioOverRounds([{ dcmtk: 1 }], 'gateway', 'dcmtk')).toThrow(/lacks side 'gateway'/);
  });
});

describe('summarizeSide', () => {
  it('derives files/s and decimal MB/s as medians of the per-run rates', () => {
    const side = summarizeSide([2, 4], 1000, 500e6);
    expect(side.filesPerSecond).toBe((500 + 250) / 2);
    expect(side.megabytesPerSecond).toBe((250 + 125) / 2);
  });

  it('refuses a zero or negative timing instead of reporting infinite throughput', () => {
    expect(() => summarizeSide([1, 0], 10, 10)).toThrow(/took 0 s/);
  });
});
