import { describe, expect, it } from 'vitest';
import { corpusSpec } from '../../../bench/corpus.ts';
import { formatMarkdown, isDisturbed, scenarioResult, targetRatio } from '../../../bench/report.ts';
import type { SideRun } from '../../../bench/scenarios.ts';

const run = (seconds: number, foreignCpuSeconds: number | undefined, peakRss: Record<string, number | undefined> = {}): SideRun => ({
  seconds,
  foreignCpuSeconds,
  peakRss,
});

describe('targetRatio', () => {
  it('allows 1.5x for receiving large files, 2x for small files and for sending', () => {
    expect(targetRatio('receive', corpusSpec('large', false))).toBe(1.5);
    expect(targetRatio('receive', corpusSpec('small', false))).toBe(2);
    expect(targetRatio('send', corpusSpec('large', false))).toBe(2);
    expect(targetRatio('send', corpusSpec('small', false))).toBe(2);
  });
});

describe('isDisturbed', () => {
  it('flags a run during which other processes used more than a quarter core on average', () => {
    expect(isDisturbed(run(4, 1.2))).toBe(true);
    expect(isDisturbed(run(4, 0.8))).toBe(false);
  });

  it('ignores foreign time within tick-rounding noise, however short the run', () => {
    expect(isDisturbed(run(0.1, 0.05))).toBe(false);
  });

  it('does not flag a run whose foreign time is unknown', () => {
    expect(isDisturbed(run(1, undefined))).toBe(false);
  });
});

describe('scenarioResult', () => {
  const corpus = { spec: corpusSpec('large', false), files: 1000, totalBytes: 524_288_000 };

  it('judges the target on the median ratio and keeps the highest peak RSS per process', () => {
    const MiB = 2 ** 20;
    const result = scenarioResult('receive', corpus, [
      { a: run(1, 0, { storescp: 10 * MiB }), b: run(1.4, 0, { 'gateway serve': 100 * MiB }) },
      { a: run(1, 0, { storescp: 30 * MiB }), b: run(2, 2, { 'gateway serve': 300 * MiB }) },
      { a: run(1, 0, { storescp: 20 * MiB }), b: run(1.5, 0, { 'gateway serve': 200 * MiB }) },
    ]);
    expect(result.summary.ratioMedian).toBe(1.5);
    expect(result.meetsTarget).toBe(true);
    expect(result.peakRss).toEqual({ a: { storescp: 30 * MiB }, b: { 'gateway serve': 300 * MiB } });
    expect(result.disturbedRounds).toBe(1);
    expect(formatMarkdown([result])).toContain('| receive | 1000 x 512 KiB | 1000 | 524.3 | 667 | 349.5 | 1.50x (1.40-2.00, 1 of 3 rounds disturbed) | <= 1.5x met | 300 MiB | storescp 30 MiB |');
  });

  it('reports a missed target', () => {
    const result = scenarioResult('send', corpus, [{ a: run(1, 0), b: run(2.5, 0) }]);
    expect(result.meetsTarget).toBe(false);
    expect(formatMarkdown([result])).toContain('<= 2x MISSED');
  });
});
