/** A clock that moves only when the test says so: due times, backoff and linger without waiting. */
import type { Clock, TimerHandle } from '../../src-main/routing/clock.ts';

export class ManualClock implements Clock {
  private time: number;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
  private soonQueue: (() => void)[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  soon(fn: () => void): void {
    this.soonQueue.push(fn);
  }

  /** Runs everything deferred with soon(), including what that schedules in turn. */
  settle(): void {
    for (let rounds = 0; this.soonQueue.length > 0; rounds++) {
      if (rounds > 1000) throw new Error('soon() keeps scheduling itself');
      const queue = this.soonQueue;
      this.soonQueue = [];
      for (const fn of queue) fn();
    }
  }

  /** Moves time forward, firing due timers in order (and what they defer). */
  advance(ms: number): void {
    const until = this.time + ms;
    this.settle();
    for (;;) {
      const next = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      next.cancelled = true;
      next.fn();
      this.settle();
    }
    this.time = until;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }
}
