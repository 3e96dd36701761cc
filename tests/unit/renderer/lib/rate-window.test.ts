import { describe, expect, test } from 'vitest';
import { RateWindow } from '../../../../src-renderer/src/lib/rate-window.ts';

const T0 = 1_700_000_000_000;

describe('RateWindow', () => {
  test('counts files and bytes per wall-clock second, the last complete second being "current"', () => {
    const rate = new RateWindow(300);
    rate.add(T0 + 100, 1000);
    rate.add(T0 + 900, 3000);
    rate.add(T0 + 1100, 500);
    const series = rate.series(T0 + 1500);
    expect(series.files).toHaveLength(300);
    expect(series.files.slice(-2)).toEqual([2, 1]);
    expect(series.bytes.slice(-2)).toEqual([4000, 500]);
    expect(series.currentFiles).toBe(2);
    expect(series.currentBytes).toBe(4000);
    expect(series.peakFiles).toBe(2);
  });

  test('quiet seconds are zeros, and what is older than the window is forgotten', () => {
    const rate = new RateWindow(10);
    rate.add(T0, 100);
    expect(rate.series(T0 + 5000).files).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const later = rate.series(T0 + 10_000);
    expect(later.files.every((f) => f === 0)).toBe(true);
    expect(later.peakBytes).toBe(0);
  });

  test('a long silence clears the whole window, not just part of it', () => {
    const rate = new RateWindow(5);
    for (let s = 0; s < 5; s++) rate.add(T0 + s * 1000, 1);
    rate.add(T0 + 3_600_000, 7);
    expect(rate.series(T0 + 3_600_000).bytes).toEqual([0, 0, 0, 0, 7]);
  });
});
