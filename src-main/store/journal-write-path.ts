/**
 * Which thread writes a journal record: the event loop's own, or one of libuv's pool.
 *
 * A record is one O_DSYNC pwritev. Through the pool it also costs two thread wake-ups (a pool
 * thread, then the event loop when it is done), which for a small record take about as long as
 * the write: `storescu` sending 5000 x 10 KiB to `serve` took 3.53-4.18 s with the write made on
 * the event loop, 4.11-4.54 s through the pool (5 interleaved pairs; docs/benchmarks.md, twelfth
 * session). While an inline write runs the event loop waits, so only small records are written
 * inline, only while the owner allows it (the gateway: while at most one association is open;
 * four senders of small instances at once were slower in 4 of 6 pairs with every write inline:
 * through the pool their writes overlap), and only while the disk answers them quickly: a slow
 * disk (a spinning one, a network share) sends them through the pool, where the event loop keeps
 * turning.
 */

/** Records up to this size may be written inline (a 10 KiB instance's record: 12 KiB). */
export const INLINE_RECORD_MAX_BYTES = 64 * 1024;
/**
 * Above this average time of the recent small writes, the disk is slow: the pool writes them.
 * Here one in 700 inline writes of a small record took over 2 ms, none over 10 ms.
 */
export const SLOW_WRITE_MS = 1;
/** How much each small write moves the average: a single stall does not change the path for long. */
const AVERAGE_WEIGHT = 1 / 16;

export class JournalWritePath {
  private readonly allowed: () => boolean;
  /** Moving average of small records' write times (inline or through the pool), in ms. */
  private averageMs = 0;

  /** `allowed`: whether the owner lets a write hold up its event loop now. */
  constructor(allowed: () => boolean = () => true) {
    this.allowed = allowed;
  }

  /** Whether a record of `size` bytes is written on the calling thread. */
  inline(size: number): boolean {
    return size <= INLINE_RECORD_MAX_BYTES && this.averageMs < SLOW_WRITE_MS && this.allowed();
  }

  /** A record of `size` bytes took `ms` to write, by whichever path. */
  wrote(size: number, ms: number): void {
    if (size <= INLINE_RECORD_MAX_BYTES) this.averageMs += (ms - this.averageMs) * AVERAGE_WEIGHT;
  }
}
