/**
 * The arithmetic of an interleaved comparison. Absolute timings drift between batches on a
 * shared machine, while the ratio of two runs made back to back stays steady, so the headline
 * figures are medians of per-round ratios, not ratios of two medians.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One side (DCMTK, Orthanc or the gateway) of a comparison, over all rounds. */
export interface SideSummary {
  medianSeconds: number;
  filesPerSecond: number;
  /** Decimal megabytes (10^6 bytes) of file size per second. */
  megabytesPerSecond: number;
}

export interface RatioSummary {
  /** Median over rounds of of/over: above 1 the `of` side is slower. */
  median: number;
  min: number;
  max: number;
  ratios: number[];
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

/** Per-round ratios of one side's time over another's, both run in each round. */
export function ratioOverRounds(rounds: readonly Record<string, number>[], of: string, over: string): RatioSummary {
  if (rounds.length === 0) throw new Error('no rounds to compare');
  const ratios = rounds.map((round) => {
    const [a, b] = [round[of], round[over]];
    if (a === undefined || b === undefined) throw new Error(`a round lacks side '${a === undefined ? of : over}'`);
    return a / b;
  });
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), ratios };
}
