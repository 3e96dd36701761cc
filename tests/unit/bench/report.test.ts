import { describe, expect, it } from 'vitest';
import { corpusSpec } from '../../../bench/corpus.ts';
import { formatMarkdown, formatTable, isDisturbed, ratioName, scenarioResult } from '../../../bench/report.ts';
import { planWithout, SCENARIO_PLANS } from '../../../bench/scenario-plans.ts';
import type { SideRun } from '../../../bench/scenarios.ts';

const run = (seconds: number, foreignCpuSeconds: number | undefined, peakRss: Record<string, number | undefined> = {}): SideRun => ({
  seconds,
  foreignCpuSeconds,
  peakRss,
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
  const MiB = 2 ** 20;

  it('judges each target on its median per-round ratio and keeps the highest peak RSS per process', () => {
    const result = scenarioResult('receive', SCENARIO_PLANS.receive, corpus, [
      { dcmtk: run(1, 0, { storescp: 10 * MiB }), gateway: run(0.9, 0, { 'gateway serve': 100 * MiB }) },
      { dcmtk: run(1, 0, { storescp: 30 * MiB }), gateway: run(1.2, 2, { 'gateway serve': 300 * MiB }) },
      { dcmtk: run(1, 0, { storescp: 20 * MiB }), gateway: run(1, 0, { 'gateway serve': 200 * MiB }) },
    ]);
    expect(result.ratios).toHaveLength(1);
    expect(result.ratios[0]!.summary.median).toBe(1);
    expect(result.ratios[0]!.meetsTarget).toBe(true);
    expect(result.sides.map((s) => s.peakRss)).toEqual([{ storescp: 30 * MiB }, { 'gateway serve': 300 * MiB }]);
    expect(result.disturbedRounds).toBe(1);
    const markdown = formatMarkdown([result]);
    expect(markdown).toContain('| receive | 1000 x 512 KiB | storescu -> gateway serve | 1000 | 524.3 | 1.00 s | gateway serve 300 MiB |');
    expect(markdown).toContain(
      '| receive | 1000 x 512 KiB | gateway/DCMTK | 1.00x (0.90-1.20) | <= 1x met | 3; 1 of 3 rounds disturbed by other work |',
    );
  });

  it('reports the relay against DCMTK and against Orthanc, each with its own target, and Orthanc over DCMTK for context', () => {
    const result = scenarioResult('relay', SCENARIO_PLANS.relay, corpus, [
      { dcmtk: run(2, 0), gateway: run(2.5, 0), orthanc: run(20, 0) },
      { dcmtk: run(2, 0), gateway: run(3.5, 0), orthanc: run(30, 0) },
    ]);
    const byName = Object.fromEntries(result.ratios.map((r) => [ratioName(r), r]));
    expect(byName['gateway/DCMTK']).toMatchObject({ target: 1.5, meetsTarget: true, summary: { median: 1.5 } });
    expect(byName['gateway/Orthanc']!.meetsTarget).toBe(false);
    expect(byName['Orthanc/DCMTK']!.summary.median).toBe(12.5);
    expect(byName['Orthanc/DCMTK']!.target).toBeUndefined();
    expect(byName['Orthanc/DCMTK']!.meetsTarget).toBeUndefined();
    expect(formatMarkdown([result])).toContain('| relay | 1000 x 512 KiB | gateway/Orthanc | 0.12x (0.12-0.13) | <= 0.1x MISSED |');
  });

  it("names a run slower than twice its side's median: a stall, not noise", () => {
    const result = scenarioResult('send', SCENARIO_PLANS.send, corpus, [
      { dcmtk: run(1, 0), gateway: run(1, 0) },
      { dcmtk: run(1, 0), gateway: run(1.1, 0) },
      { dcmtk: run(1, 0), gateway: run(4, 0) },
    ]);
    expect(result.slowRuns).toEqual(['gateway round 3']);
    expect(formatTable([result])).toContain('slower than 2x the median: gateway round 3');
  });

  it('drops the sides that cannot run here, and the ratios that need them', () => {
    const plan = planWithout(SCENARIO_PLANS.relay, ['orthanc']);
    expect(plan.sides.map((s) => s.key)).toEqual(['dcmtk', 'gateway']);
    expect(plan.ratios.map(ratioName)).toEqual(['gateway/DCMTK']);
  });

  it("refuses a round that lacks one of the plan's sides", () => {
    expect(() => scenarioResult('relay', SCENARIO_PLANS.relay, corpus, [{ dcmtk: run(1, 0), gateway: run(1, 0) }])).toThrow(
      /no run for side 'orthanc'/,
    );
  });
});
