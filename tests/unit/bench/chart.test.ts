import { describe, expect, it } from 'vitest';
import { renderChart, escapeXml } from '../../../bench/chart.ts';
import { corpusSpec } from '../../../bench/corpus.ts';
import { scenarioResult } from '../../../bench/report.ts';
import { SCENARIO_PLANS } from '../../../bench/scenario-plans.ts';
import type { SideRun } from '../../../bench/scenarios.ts';

const run = (seconds: number): SideRun => ({ seconds, foreignCpuSeconds: 0, peakRss: {} });
const corpus = { spec: corpusSpec('small', false), files: 5000, totalBytes: 51_200_000 };

describe('renderChart', () => {
  const relay = scenarioResult('relay', SCENARIO_PLANS.relay, corpus, [
    { dcmtk: run(2), gateway: run(4), orthanc: run(80) },
    { dcmtk: run(3), gateway: run(5), orthanc: run(60) },
    { dcmtk: run(2.5), gateway: run(4.5), orthanc: run(70) },
  ]);
  const svg = renderChart([relay], 'Median time per side');

  it('draws one bar per side, longest for the slowest median, scaled within its group', () => {
    const widths = [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    // Orthanc's median (70 s) over its slowest round (80 s) sets the group's scale.
    expect(widths[2]! / widths[0]!).toBeCloseTo(70 / 2.5, 0);
    expect(Math.max(...widths)).toBe(widths[2]);
  });

  it("labels the group, each side and each median, and shows each side's range of rounds", () => {
    expect(svg).toContain('>relay, 5000 x 10 KiB<');
    for (const label of ['>DCMTK<', '>gateway<', '>Orthanc<', '>2.50 s<', '>4.50 s<', '>70.00 s<']) expect(svg).toContain(label);
    expect(svg.match(/<line /g)).toHaveLength(3);
  });

  it('is a standalone SVG document with its text escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(renderChart([], 'a <b> & "c"')).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(escapeXml('x')).toBe('x');
  });
});
