/**
 * Time as the forward queue and the association pool see it. Injected so that unit tests drive
 * backoff, linger and due times by advancing a manual clock instead of waiting on real timers.
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; the timer never keeps the process alive on its own. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` once the current turn of work is done (after pending I/O callbacks). */
  soon(fn: () => void): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  soon(fn) {
    setImmediate(fn);
  },
};
