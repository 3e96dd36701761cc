/** Results of a bench run: the per-scenario record, a table for the terminal and one for docs/benchmarks.md. */
import type { Scenario } from './bench-args.ts';
import type { CorpusSpec } from './corpus.ts';
import type { PeakRss, SideRun } from './scenarios.ts';
import { compareRounds, type ComparisonSummary } from './stats.ts';

/** Below this average load from other processes (in cores) the machine counts as quiet before a pair. */
export const QUIET_BUSY_CORES = 0.15;
/** A run during which other processes used more than this many cores on average is flagged... */
export const DISTURBED_FOREIGN_CORES = 0.25;
/** ...unless that is under this many CPU seconds: each CPU reading is rounded to 10 ms ticks. */
const FOREIGN_CPU_NOISE_SECONDS = 0.1;

export function isDisturbed(run: SideRun): boolean {
  const foreign = run.foreignCpuSeconds;
  return foreign !== undefined && foreign > FOREIGN_CPU_NOISE_SECONDS && foreign / run.seconds > DISTURBED_FOREIGN_CORES;
}

/** Gateway time over DCMTK time that the engine is meant to stay within. */
export function targetRatio(scenario: Scenario, spec: CorpusSpec): number {
  if (scenario === 'send' || scenario === 'relay') return 2;
  return spec.name === 'large' ? 1.5 : 2;
}

export const SIDE_LABELS: Record<Scenario, { a: string; b: string }> = {
  receive: { a: 'storescu -> storescp +B', b: 'storescu -> gateway serve' },
  send: { a: 'storescu -> storescp +B', b: 'gateway send -> storescp +B' },
  relay: { a: 'storescu -> storescp +B', b: 'storescu -> serve (rule) -> storescp +B, until the last lands' },
};

export interface ScenarioResult {
  scenario: Scenario;
  corpus: CorpusSpec;
  files: number;
  totalBytes: number;
  rounds: { a: SideRun; b: SideRun }[];
  summary: ComparisonSummary;
  targetRatio: number;
  meetsTarget: boolean;
  /** Highest peak RSS seen in any round, per process, per side. */
  peakRss: { a: PeakRss; b: PeakRss };
  /** Kept rounds in which other processes used the CPU noticeably during either run. */
  disturbedRounds: number;
  /** Disturbed rounds that were discarded and run again. */
  repeatedRounds: number;
}

export function scenarioResult(scenario: Scenario, corpus: { spec: CorpusSpec; files: number; totalBytes: number }, rounds: { a: SideRun; b: SideRun }[]): ScenarioResult {
  const summary = compareRounds(rounds.map((r) => ({ a: r.a.seconds, b: r.b.seconds })), corpus.files, corpus.totalBytes);
  const target = targetRatio(scenario, corpus.spec);
  return {
    scenario,
    corpus: corpus.spec,
    files: corpus.files,
    totalBytes: corpus.totalBytes,
    rounds,
    summary,
    targetRatio: target,
    meetsTarget: summary.ratioMedian <= target,
    peakRss: { a: maxRss(rounds.map((r) => r.a.peakRss)), b: maxRss(rounds.map((r) => r.b.peakRss)) },
    disturbedRounds: rounds.filter((r) => isDisturbed(r.a) || isDisturbed(r.b)).length,
    repeatedRounds: 0,
  };
}

function maxRss(runs: PeakRss[]): PeakRss {
  const out: PeakRss = {};
  for (const run of runs) {
    for (const [name, bytes] of Object.entries(run)) {
      if (bytes !== undefined) out[name] = Math.max(out[name] ?? 0, bytes);
      else if (!(name in out)) out[name] = undefined;
    }
  }
  return out;
}

export function corpusLabel(spec: CorpusSpec, files: number): string {
  const size = spec.fileBytes % 1024 === 0 ? `${spec.fileBytes / 1024} KiB` : `${spec.fileBytes} B`;
  return `${files} x ${size}`;
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / 2 ** 20)} MiB`;
}

function rssList(rss: PeakRss): string {
  return Object.entries(rss)
    .map(([name, bytes]) => `${name} ${mib(bytes)}`)
    .join(', ');
}

function ratioText(r: ScenarioResult): string {
  const s = r.summary;
  const disturbed =
    (r.disturbedRounds ? `, ${r.disturbedRounds} of ${r.rounds.length} rounds disturbed` : '') +
    (r.repeatedRounds ? `, ${r.repeatedRounds} disturbed ${r.repeatedRounds === 1 ? 'round' : 'rounds'} repeated` : '');
  return `${s.ratioMedian.toFixed(2)}x (${s.ratioMin.toFixed(2)}-${s.ratioMax.toFixed(2)}${disturbed})`;
}

function verdict(r: ScenarioResult): string {
  return `<= ${r.targetRatio}x ${r.meetsTarget ? 'met' : 'MISSED'}`;
}

/** Aligned plain-text table for the terminal: one line per side, one per ratio. */
export function formatTable(results: ScenarioResult[]): string {
  const header = ['scenario', 'corpus', 'side', 'files/s', 'MB/s', 'median s', 'peak RSS / ratio'];
  const rows: string[][] = [];
  for (const r of results) {
    const labels = SIDE_LABELS[r.scenario];
    const corpus = corpusLabel(r.corpus, r.files);
    for (const side of ['a', 'b'] as const) {
      const s = r.summary[side];
      rows.push([
        side === 'a' ? r.scenario : '',
        side === 'a' ? corpus : '',
        labels[side],
        s.filesPerSecond.toFixed(0),
        s.megabytesPerSecond.toFixed(1),
        s.medianSeconds.toFixed(2),
        rssList(r.peakRss[side]),
      ]);
    }
    rows.push(['', '', 'time ratio gateway/DCMTK', '', '', '', `${ratioText(r)}, target ${verdict(r)}`]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  // The last column is not padded, so its rule is only as wide as its header.
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? header[i]!.length : w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The same results as a Markdown table, ready for docs/benchmarks.md. */
export function formatMarkdown(results: ScenarioResult[]): string {
  const lines = [
    '| scenario | corpus | DCMTK files/s | DCMTK MB/s | gateway files/s | gateway MB/s | time ratio gateway/DCMTK, median (range) | target | gateway peak RSS | DCMTK peak RSS |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of results) {
    const gatewayRss = Object.entries(r.peakRss.b).filter(([name]) => name.startsWith('gateway'));
    lines.push(
      `| ${r.scenario} | ${corpusLabel(r.corpus, r.files)} | ${r.summary.a.filesPerSecond.toFixed(0)} | ${r.summary.a.megabytesPerSecond.toFixed(1)} | ` +
        `${r.summary.b.filesPerSecond.toFixed(0)} | ${r.summary.b.megabytesPerSecond.toFixed(1)} | ${ratioText(r)} | ${verdict(r)} | ` +
        `${gatewayRss.map(([, bytes]) => mib(bytes)).join(', ')} | ${rssList(r.peakRss.a)} |`,
    );
  }
  return lines.join('\n');
}
