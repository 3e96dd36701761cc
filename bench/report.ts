/** Results of a bench run: the per-scenario record, a table for the terminal and one for docs/benchmarks.md. */
import type { Scenario } from './bench-args.ts';
import type { CorpusSpec } from './corpus.ts';
import { sideName, type RatioPlan, type ScenarioPlan, type SideKey } from './scenario-plans.ts';
import type { PeakRss, SideRun } from './scenarios.ts';
import { median, ratioOverRounds, summarizeSide, type RatioSummary, type SideSummary } from './stats.ts';

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

export interface SideResult {
  key: SideKey;
  label: string;
  summary: SideSummary;
  /** Highest peak RSS seen in any round, per process. */
  peakRss: PeakRss;
}

export interface RatioResult extends RatioPlan {
  summary: RatioSummary;
  /** undefined when the ratio has no target. */
  meetsTarget: boolean | undefined;
  /** Median over rounds of (of - over) / files, in ms: what the slower side costs per instance (perInstance plans). */
  extraMsPerInstance?: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  corpus: CorpusSpec;
  files: number;
  totalBytes: number;
  /** One record per round: each side's run. */
  rounds: Partial<Record<SideKey, SideRun>>[];
  sides: SideResult[];
  ratios: RatioResult[];
  /** Kept rounds in which other processes used the CPU noticeably during any run. */
  disturbedRounds: number;
  /** Disturbed rounds that were discarded and run again. */
  repeatedRounds: number;
  /** Runs slower than twice their side's median (issue 8: "no stalls"), as "side round N". */
  slowRuns: string[];
}

export function scenarioResult(
  scenario: Scenario,
  plan: ScenarioPlan,
  corpus: { spec: CorpusSpec; files: number; totalBytes: number },
  rounds: Partial<Record<SideKey, SideRun>>[],
): ScenarioResult {
  const secondsOf = (key: SideKey) => rounds.map((r) => runOf(r, key).seconds);
  const sides = plan.sides.map((side) => ({
    ...side,
    summary: summarizeSide(secondsOf(side.key), corpus.files, corpus.totalBytes),
    peakRss: maxRss(rounds.map((r) => runOf(r, side.key).peakRss)),
  }));
  const times = rounds.map((r) => Object.fromEntries(Object.entries(r).map(([key, run]) => [key, run!.seconds])));
  const ratios = plan.ratios.map((ratio) => {
    const summary = ratioOverRounds(times, ratio.of, ratio.over);
    const meetsTarget = ratio.target === undefined ? undefined : summary.median <= ratio.target;
    if (!ratio.perInstance) return { ...ratio, summary, meetsTarget };
    const extra = rounds.map((r) => ((runOf(r, ratio.of).seconds - runOf(r, ratio.over).seconds) / corpus.files) * 1000);
    return { ...ratio, summary, meetsTarget, extraMsPerInstance: median(extra) };
  });
  const slowRuns = sides.flatMap((side) =>
    secondsOf(side.key).flatMap((seconds, i) => (seconds > 2 * side.summary.medianSeconds ? [`${sideName(side.key)} round ${i + 1}`] : [])),
  );
  return {
    scenario,
    corpus: corpus.spec,
    files: corpus.files,
    totalBytes: corpus.totalBytes,
    rounds,
    sides,
    ratios,
    disturbedRounds: rounds.filter((r) => Object.values(r).some((run) => isDisturbed(run!))).length,
    repeatedRounds: 0,
    slowRuns,
  };
}

function runOf(round: Partial<Record<SideKey, SideRun>>, key: SideKey): SideRun {
  const run = round[key];
  if (!run) throw new Error(`a round has no run for side '${key}'`);
  return run;
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

export function ratioName(ratio: RatioPlan): string {
  return `${sideName(ratio.of)}/${sideName(ratio.over)}`;
}

function ratioText(ratio: RatioResult): string {
  const s = ratio.summary;
  const perInstance = ratio.extraMsPerInstance === undefined ? '' : `, ${signed(ratio.extraMsPerInstance)} ms per instance`;
  return `${s.median.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)})${perInstance}`;
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
}

function verdict(ratio: RatioResult): string {
  if (ratio.target === undefined) return '-';
  return `<= ${ratio.target}x ${ratio.meetsTarget ? 'met' : 'MISSED'}`;
}

/** Disturbed, repeated and slow rounds of a scenario, or '' when there were none. */
export function roundNotes(r: ScenarioResult): string {
  return [
    r.disturbedRounds ? `${r.disturbedRounds} of ${r.rounds.length} rounds disturbed by other work` : '',
    r.repeatedRounds ? `${r.repeatedRounds} disturbed ${r.repeatedRounds === 1 ? 'round' : 'rounds'} repeated` : '',
    r.slowRuns.length ? `slower than 2x the median: ${r.slowRuns.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Aligned plain-text table for the terminal: one line per side, one per ratio. */
export function formatTable(results: ScenarioResult[]): string {
  const header = ['scenario', 'corpus', 'side', 'files/s', 'MB/s', 'median s', 'peak RSS / ratio'];
  const rows: string[][] = [];
  for (const r of results) {
    const corpus = corpusLabel(r.corpus, r.files);
    r.sides.forEach((side, i) => {
      const s = side.summary;
      rows.push([
        i === 0 ? r.scenario : '',
        i === 0 ? corpus : '',
        side.label,
        s.filesPerSecond.toFixed(0),
        s.megabytesPerSecond.toFixed(1),
        s.medianSeconds.toFixed(2),
        rssList(side.peakRss),
      ]);
    });
    for (const ratio of r.ratios) {
      rows.push(['', '', `time ratio ${ratioName(ratio)}`, '', '', '', `${ratioText(ratio)}, target ${verdict(ratio)}`]);
    }
    const notes = roundNotes(r);
    if (notes) rows.push(['', '', `(${notes})`, '', '', '', '']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  // The last column is not padded, so its rule is only as wide as its header.
  const rule = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? header[i]!.length : w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The same results as two Markdown tables (times per side, ratios), ready for docs/benchmarks.md. */
export function formatMarkdown(results: ScenarioResult[]): string {
  const times = ['| scenario | corpus | side | files/s | MB/s | median time | peak RSS |', '|---|---|---|---:|---:|---:|---|'];
  const ratios = ['| scenario | corpus | time ratio | median (range) | target | rounds |', '|---|---|---|---:|---|---|'];
  for (const r of results) {
    const corpus = corpusLabel(r.corpus, r.files);
    for (const side of r.sides) {
      const s = side.summary;
      times.push(
        `| ${r.scenario} | ${corpus} | ${side.label} | ${s.filesPerSecond.toFixed(0)} | ${s.megabytesPerSecond.toFixed(1)} | ${s.medianSeconds.toFixed(2)} s | ${rssList(side.peakRss)} |`,
      );
    }
    for (const ratio of r.ratios) {
      ratios.push(
        `| ${r.scenario} | ${corpus} | ${ratioName(ratio)} | ${ratioText(ratio)} | ${verdict(ratio)} | ${r.rounds.length}${roundNotes(r) ? `; ${roundNotes(r)}` : ''} |`,
      );
    }
  }
  return `${times.join('\n')}\n\n${ratios.join('\n')}`;
}
