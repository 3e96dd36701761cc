import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../src-main/routing/backoff.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../../../src-main/routing/routing-types.ts';

describe('backoffMs', () => {
  const settings = DEFAULT_QUEUE_SETTINGS; // 5 s base, 600 s cap

  it('doubles from the base per failure, before jitter', () => {
    const top = (attempts: number) => backoffMs(attempts, settings, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([5_000, 10_000, 20_000, 40_000]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffMs(30, settings, () => 1)).toBe(600_000);
  });

  it('jitters between half and all of the computed wait', () => {
    expect(backoffMs(3, settings, () => 0)).toBe(10_000);
    expect(backoffMs(3, settings, () => 0.5)).toBe(15_000);
    const samples = Array.from({ length: 200 }, () => backoffMs(3, settings));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20_000);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });
});
