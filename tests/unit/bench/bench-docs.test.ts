import { describe, expect, it } from 'vitest';
import { CHART_FILE, replaceResultsSection, resultsSection, RESULTS_BEGIN, RESULTS_END, type BenchRun } from '../../../bench/bench-docs.ts';
import { corpusSpec } from '../../../bench/corpus.ts';
import { FREE_PAGES_REPORTED } from '../../../bench/machine.ts';
import { scenarioResult } from '../../../bench/report.ts';
import { planWithout, SCENARIO_PLANS } from '../../../bench/scenario-plans.ts';

const run = (seconds: number) => ({ seconds, foreignCpuSeconds: 0, peakRss: {} });

function benchRun(quick: boolean, freePagesReported = false): BenchRun {
  const corpus = { spec: corpusSpec('large', false), files: 1000, totalBytes: 524_288_000 };
  return {
    command: 'npm run bench -- --write-docs',
    finishedAt: '2026-11-30T01:00:00.000Z',
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 23.5,
      kernel: '6.1',
      node: 'v24.0.0',
      dcmtk: 'v3.6.7 2022-04-22',
      loadAverage1m: 0.5,
      freePagesReported,
    },
    rounds: 3,
    quick,
    results: [scenarioResult('send', planWithout(SCENARIO_PLANS.send, ['bare-node-scu']), corpus, [{ dcmtk: run(1), gateway: run(0.9) }])],
    floors: [{ corpus: 'large', fileBytes: 512 * 1024, medianMs: 1.5, p90Ms: 2, samples: 200 }],
  };
}

describe('resultsSection', () => {
  it('states the command, the date, the machine, the chart and the tables of the run', () => {
    const section = resultsSection(benchRun(false));
    expect(section).toContain('Run finished 2026-11-30T01:00:00.000Z with `npm run bench -- --write-docs` (3 rounds).');
    expect(section).toContain('2 x Test CPU, 23.5 GiB, Linux 6.1, Node v24.0.0, DCMTK v3.6.7 2022-04-22');
    expect(section).toContain(`](${CHART_FILE})`);
    expect(section).toContain('| send | 1000 x 512 KiB | gateway/DCMTK | 0.90x (0.90-0.90) | <= 1x met |');
    expect(section).toContain('- large, 512 KiB: median 1.50 ms, p90 2.00 ms');
    expect(section).not.toContain('--quick');
  });

  it('says when the host takes freed memory back, and only then', () => {
    expect(resultsSection(benchRun(false, true))).toContain(`when the run started; ${FREE_PAGES_REPORTED}.`);
    expect(resultsSection(benchRun(false))).toContain('when the run started.');
  });

  it('warns that a --quick run is not a measurement', () => {
    expect(resultsSection(benchRun(true))).toContain('do not quote these numbers');
  });
});

describe('replaceResultsSection', () => {
  const doc = `# Benchmarks\n\nprose before\n\n${RESULTS_BEGIN}\nold results\n${RESULTS_END}\n\nprose after\n`;

  it('replaces only what lies between the markers, and does so again on the next run', () => {
    const once = replaceResultsSection(doc, 'new results', 'docs/benchmarks.md');
    expect(once).toBe(`# Benchmarks\n\nprose before\n\n${RESULTS_BEGIN}\nnew results\n${RESULTS_END}\n\nprose after\n`);
    expect(replaceResultsSection(once, 'newer', 'docs/benchmarks.md')).toContain(`${RESULTS_BEGIN}\nnewer\n${RESULTS_END}`);
  });

  it('refuses a document without the markers, naming it', () => {
    expect(() => replaceResultsSection('# no markers', 'x', 'docs/benchmarks.md')).toThrow(/docs\/benchmarks.md has no/);
  });
});
