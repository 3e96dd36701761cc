/**
 * The arithmetic of an interleaved A/B comparison. Absolute timings drift between batches on a
 * shared machine, while the ratio of two runs made back to back stays steady, so the headline
 * figure is the median of the per-round ratios, not the ratio of two medians.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One side (DCMTK or gateway) of the comparison, over all rounds. */
export interface SideSummary {
  medianSeconds: number;
  filesPerSecond: number;
  /** Decimal megabytes (10^6 bytes) of file size per second. */
  megabytesPerSecond: number;
}

export interface RoundPair {
  /** Reference side (DCMTK), seconds. */
  a: number;
  /** Gateway side, seconds. */
  b: number;
}

export interface ComparisonSummary {
  /** Median over rounds of b/a: above 1 the gateway is slower than DCMTK. */
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
  ratios: number[];
  a: SideSummary;
  b: SideSummary;
}

export function summarizeSide(seconds: readonly number[], files: number, bytes: number): SideSummary {
  for (const s of seconds) if (!(s > 0)) throw new Error(`a run took ${s} s: timings must be positive`);
  return {
    medianSeconds: median(seconds),
    // Median of the per-run rates: with an even number of runs this differs from files / median(seconds).
    filesPerSecond: median(seconds.map((s) => files / s)),
    megabytesPerSecond: median(seconds.map((s) => bytes / 1e6 / s)),
  };
}

export function compareRounds(rounds: readonly RoundPair[], files: number, bytes: number): ComparisonSummary {
  if (rounds.length === 0) throw new Error('no rounds to compare');
  const a = summarizeSide(rounds.map((r) => r.a), files, bytes);
  const b = summarizeSide(rounds.map((r) => r.b), files, bytes);
  const ratios = rounds.map((r) => r.b / r.a);
  return { ratioMedian: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), ratios, a, b };
}
