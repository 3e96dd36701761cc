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
    const result = scenarioResult('receive', planWithout(SCENARIO_PLANS.receive, ['bare-node-scp']), corpus, [
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

  it('reports the bare Node SCP against DCMTK and the gateway against it, for context: the floor that bounds the receive ratio', () => {
    const result = scenarioResult('receive', SCENARIO_PLANS.receive, corpus, [
      { dcmtk: run(1, 0), gateway: run(4, 0), 'bare-node-scp': run(1.5, 0) },
      { dcmtk: run(1, 0), gateway: run(3, 0), 'bare-node-scp': run(1.4, 0) },
    ]);
    const byName = Object.fromEntries(result.ratios.map((r) => [ratioName(r), r]));
    expect(byName['gateway/DCMTK']).toMatchObject({ target: 1, meetsTarget: false, summary: { median: 3.5 } });
    expect(byName['bare Node SCP/DCMTK']!.summary.median).toBe(1.45);
    expect(byName['bare Node SCP/DCMTK']!.target).toBeUndefined();
    expect(byName['gateway/bare Node SCP']!.summary.median).toBeCloseTo((4 / 1.5 + 3 / 1.4) / 2);
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
    const result = scenarioResult('send', planWithout(SCENARIO_PLANS.send, ['bare-node-scu']), corpus, [
      { dcmtk: run(1, 0), gateway: run(1, 0) },
      { dcmtk: run(1, 0), gateway: run(1.1, 0) },
      { dcmtk: run(1, 0), gateway: run(4, 0) },
    ]);
    expect(result.slowRuns).toEqual(['gateway round 3']);
    expect(formatTable([result])).toContain('slower than 2x the median: gateway round 3');
  });

  it('reports what TLS and transcoding cost per instance: the median per-round difference over the files', () => {
    const tls = scenarioResult('tls-relay', SCENARIO_PLANS['tls-relay'], corpus, [
      { gateway: run(2, 0), 'gateway-tls': run(2.5, 0) },
      { gateway: run(2, 0), 'gateway-tls': run(3, 0) },
      { gateway: run(3, 0), 'gateway-tls': run(3.2, 0) },
    ]);
    expect(tls.ratios).toMatchObject([{ of: 'gateway-tls', over: 'gateway', summary: { median: 1.25 } }]);
    expect(tls.ratios[0]!.extraMsPerInstance).toBeCloseTo(0.5, 9);
    expect(formatMarkdown([tls])).toContain(
      '| tls-relay | 1000 x 512 KiB | gateway TLS/gateway | 1.25x (1.07-1.50), +0.50 ms per instance | - |',
    );
    const transcode = scenarioResult('transcode', SCENARIO_PLANS.transcode, corpus, [
      { gateway: run(1, 0), 'gateway-transcode': run(4, 0) },
    ]);
    expect(formatTable([transcode])).toContain('time ratio gateway transcoding/gateway');
    expect(formatTable([transcode])).toContain('4.00x (4.00-4.00), +3.00 ms per instance');
    // Plans without a per-instance figure keep their table rows as they were.
    expect(
      scenarioResult('send', planWithout(SCENARIO_PLANS.send, ['bare-node-scu']), corpus, [{ dcmtk: run(1, 0), gateway: run(2, 0) }])
        .ratios[0],
    ).not.toHaveProperty('extraMsPerInstance');
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
