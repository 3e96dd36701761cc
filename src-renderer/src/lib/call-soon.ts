/**
 * "Read it again soon": however many times it is asked for within `delayMs`, `run` is called once,
 * `delayMs` after the first request. Views use it to follow a stream of events (job updates,
 * arriving instances) with a few reads instead of one per event.
 */
export interface SoonCall {
  request(): void;
  /** Drops a call still pending (the view is going away). */
  dispose(): void;
}

export function callSoon(run: () => void, delayMs: number): SoonCall {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    request() {
      timer ??= setTimeout(() => {
        timer = undefined;
        run();
      }, delayMs);
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
