/**
 * Collects items (live events) and hands them over in one batch per animation frame, so a burst of
 * a thousand events costs one render instead of a thousand. A hidden window gets no frames, so a
 * timer flushes too, and a very large backlog flushes at once rather than growing without bound.
 */

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Delivers whatever is pending now (used on teardown and by tests). */
  flush(): void;
  dispose(): void;
}

export interface FrameBatcherOptions {
  /** Flush even without a frame after this long (hidden windows get no frames). */
  maxDelayMs?: number;
  /** Flush immediately when this many items are pending. */
  maxPending?: number;
}

export function createFrameBatcher<T>(deliver: (items: T[]) => void, options: FrameBatcherOptions = {}): FrameBatcher<T> {
  const maxDelayMs = options.maxDelayMs ?? 500;
  const maxPending = options.maxPending ?? 20_000;
  let pending: T[] = [];
  let frame: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function cancelScheduled(): void {
    if (frame !== undefined) cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
    frame = undefined;
    timer = undefined;
  }

  function flush(): void {
    cancelScheduled();
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    deliver(items);
  }

  return {
    push(item: T): void {
      if (disposed) return;
      pending.push(item);
      if (pending.length >= maxPending) return flush();
      if (frame === undefined) frame = requestAnimationFrame(flush);
      if (timer === undefined) timer = setTimeout(flush, maxDelayMs);
    },
    flush,
    dispose(): void {
      disposed = true;
      cancelScheduled();
      pending = [];
    },
  };
}
