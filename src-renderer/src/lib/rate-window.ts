/**
 * Files and bytes received per second over a sliding window (five minutes by default), in
 * one-second buckets keyed by wall-clock second, so a quiet period shows as zeros, not as a gap.
 */

export interface RateSeries {
  /** Oldest first, one value per second; the last entry is the current, still-filling second. */
  files: number[];
  bytes: number[];
  /** The last complete second. */
  currentFiles: number;
  currentBytes: number;
  peakFiles: number;
  peakBytes: number;
}

export class RateWindow {
  readonly seconds: number;
  private readonly files: Float64Array;
  private readonly bytes: Float64Array;
  /** The wall-clock second the newest bucket belongs to. */
  private newestSecond = -Infinity;

  constructor(seconds = 300) {
    this.seconds = seconds;
    this.files = new Float64Array(seconds);
    this.bytes = new Float64Array(seconds);
  }

  add(nowMs: number, bytes: number): void {
    const second = Math.floor(nowMs / 1000);
    this.advanceTo(second);
    // An event stamped in an older second than the newest still counts, if it is inside the window.
    if (second <= this.newestSecond - this.seconds) return;
    const slot = this.slot(second);
    this.files[slot]! += 1;
    this.bytes[slot]! += bytes;
  }

  series(nowMs: number): RateSeries {
    this.advanceTo(Math.floor(nowMs / 1000));
    const files: number[] = [];
    const bytes: number[] = [];
    for (let age = this.seconds - 1; age >= 0; age--) {
      const slot = this.slot(this.newestSecond - age);
      files.push(this.files[slot]!);
      bytes.push(this.bytes[slot]!);
    }
    return {
      files,
      bytes,
      currentFiles: files[files.length - 2] ?? 0,
      currentBytes: bytes[bytes.length - 2] ?? 0,
      peakFiles: Math.max(...files),
      peakBytes: Math.max(...bytes),
    };
  }

  /** Moves the window forward to `second`, zeroing the buckets it passes over. */
  private advanceTo(second: number): void {
    if (second <= this.newestSecond) return;
    const steps = Number.isFinite(this.newestSecond) ? Math.min(second - this.newestSecond, this.seconds) : this.seconds;
    for (let i = 0; i < steps; i++) {
      const slot = this.slot(second - i);
      this.files[slot] = 0;
      this.bytes[slot] = 0;
    }
    this.newestSecond = second;
  }

  private slot(second: number): number {
    return ((second % this.seconds) + this.seconds) % this.seconds;
  }
}
