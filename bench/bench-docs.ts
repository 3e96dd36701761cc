/**
 * `npm run bench -- --write-docs`: the run's results, machine, command and chart go into
 * docs/benchmarks.md between two marker comments (the prose around them is left alone), and the
 * chart into docs/benchmarks-chart.svg, so the published numbers are always a real run's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChart } from './chart.ts';
import type { DurableWriteFloor } from './durable-write-floor.ts';
import { formatMachine, type MachineInfo } from './machine.ts';
import { formatMarkdown, type ScenarioResult } from './report.ts';

export const RESULTS_BEGIN = '<!-- bench:results begin (written by npm run bench -- --write-docs) -->';
export const RESULTS_END = '<!-- bench:results end -->';
export const CHART_FILE = 'benchmarks-chart.svg';

export interface BenchRun {
  command: string;
  finishedAt: string;
  machine: MachineInfo;
  rounds: number;
  quick: boolean;
  results: ScenarioResult[];
  floors: (DurableWriteFloor & { corpus: string })[];
}

/** Writes the chart and the results section; returns the paths written. */
export async function writeBenchDocs(docsDir: string, run: BenchRun): Promise<string[]> {
  const chartPath = join(docsDir, CHART_FILE);
  const docPath = join(docsDir, 'benchmarks.md');
  const doc = replaceResultsSection(await readFile(docPath, 'utf8'), resultsSection(run), docPath);
  await writeFile(
    chartPath,
    renderChart(run.results, `Median time per side, ${run.finishedAt.slice(0, 10)} (bars: median, lines: range of rounds)`),
  );
  await writeFile(docPath, doc);
  return [docPath, chartPath];
}

export function resultsSection(run: BenchRun): string {
  const lines = [
    `Run finished ${run.finishedAt} with \`${run.command}\` (${run.rounds} ${run.rounds === 1 ? 'round' : 'rounds'}).` +
      (run.quick ? ' **--quick: reduced corpora, a smoke run; do not quote these numbers.**' : ''),
    '',
    `Machine: ${formatMachine(run.machine)}.`,
    '',
    `![Median time of every side of every scenario](${CHART_FILE})`,
    '',
    formatMarkdown(run.results),
  ];
  if (run.floors.length) {
    lines.push(
      '',
      'Durable write on this disk (one O_DSYNC write of an instance into a preallocated file, as the receive journal does):',
      '',
    );
    for (const f of run.floors) {
      lines.push(`- ${f.corpus}, ${f.fileBytes / 1024} KiB: median ${f.medianMs.toFixed(2)} ms, p90 ${f.p90Ms.toFixed(2)} ms`);
    }
  }
  return lines.join('\n');
}

/** The document with everything between the markers replaced; throws (naming the file) without them. */
export function replaceResultsSection(doc: string, section: string, docPath: string): string {
  const begin = doc.indexOf(RESULTS_BEGIN);
  const end = doc.indexOf(RESULTS_END);
  if (begin < 0 || end < begin)
    throw new Error(`${docPath} has no '${RESULTS_BEGIN}' ... '${RESULTS_END}' section to write the results into`);
  return `${doc.slice(0, begin + RESULTS_BEGIN.length)}\n${section}\n${doc.slice(end)}`;
}
