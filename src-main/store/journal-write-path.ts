/**
 * Which thread writes a journal record: the event loop's own, or one of libuv's pool.
 *
 * A record is one O_DSYNC pwritev. Through the pool it also costs two thread wake-ups (a pool
 * thread, then the event loop when it is done), which for a small record take about as long as
 * the write: `storescu` sending 5000 x 10 KiB to `serve` took 3.53-4.18 s with the write made on
 * the event loop, 4.11-4.54 s through the pool (5 interleaved pairs; docs/benchmarks.md, twelfth
 * session). While an inline write runs the event loop waits, so only small records are written
 * inline, only while the owner allows it (the gateway: while at most one association is open;
 * four senders of small instances at once were slower in 5 of 6 pairs with every write inline:
 * through the pool their writes overlap), and only while the disk answers them quickly: on a slow
 * disk (a spinning one, a network share) small records go through the pool, where the event loop
 * keeps turning, and a few inline writes now and then find out whether it is still slow.
 */

/** Records up to this size may be written inline (a 10 KiB instance's record: 12 KiB). */
export const INLINE_RECORD_MAX_BYTES = 64 * 1024;
/**
 * Inline writes averaging more than this mean a slow disk. Here one in 700 inline writes of a
 * small record took over 2 ms, none over 10 ms.
 */
export const SLOW_WRITE_MS = 1;
/** How much each inline write moves the average: a single stall does not change the path. */
const AVERAGE_WEIGHT = 1 / 16;
/** Small records written through the pool once the disk was found slow, before inline writes measure it again. */
export const POOL_WRITES_WHEN_SLOW = 256;

export class JournalWritePath {
  private readonly allowed: () => boolean;
  /** Moving average of the inline writes' times, in ms, since the disk was last found slow. */
  private averageMs = 0;
  /** Small records still to go through the pool because the disk was found slow. */
  private poolWrites = 0;

  /** `allowed`: whether the owner lets a write hold up its event loop now. */
  constructor(allowed: () => boolean = () => true) {
    this.allowed = allowed;
  }

  /** Decides, once per record, whether a record of `size` bytes is written on the calling thread. */
  inline(size: number): boolean {
    if (size > INLINE_RECORD_MAX_BYTES || !this.allowed()) return false;
    if (this.poolWrites === 0) return true;
    this.poolWrites--;
    return false;
  }

  /** An inline write took `ms`: if they now average over SLOW_WRITE_MS, the next small records take the pool. */
  wroteInline(ms: number): void {
    this.averageMs += (ms - this.averageMs) * AVERAGE_WEIGHT;
    if (this.averageMs <= SLOW_WRITE_MS) return;
    this.poolWrites = POOL_WRITES_WHEN_SLOW;
    this.averageMs = 0;
  }
}
