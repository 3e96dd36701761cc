import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callSoon } from '../../../../src-renderer/src/lib/call-soon.ts';

describe('callSoon', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once, the delay after the first of many requests, and again for a request after that', () => {
    const run = vi.fn();
    const soon = callSoon(run, 1000);
    soon.request();
    vi.advanceTimersByTime(600);
    soon.request();
    soon.request();
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(run).toHaveBeenCalledTimes(1);
    soon.request();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('drops a pending call when disposed', () => {
    const run = vi.fn();
    const soon = callSoon(run, 1000);
    soon.request();
    soon.dispose();
    vi.advanceTimersByTime(5000);
    expect(run).not.toHaveBeenCalled();
  });
});
