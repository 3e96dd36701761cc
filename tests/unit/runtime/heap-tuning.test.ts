/** The heap tuning for streaming processes: external buffers no longer force a mark-compact each. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const MODULE = new URL('../../../src-main/runtime/heap-tuning.ts', import.meta.url).href;

/** Mark-compacts while 2 GiB of short-lived 256 KiB buffers (about 100 alive at a time) goes through a small heap. */
function markCompacts(tuned: boolean): number {
  const script = `
    ${tuned ? `(await import(${JSON.stringify(MODULE)})).tuneHeapForStreaming();` : ''}
    const ring = new Array(100);
    for (let i = 0; i < 8192; i++) ring[i % 100] = Buffer.allocUnsafe(256 * 1024);
  `;
  const run = spawnSync(process.execPath, ['--trace-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line.includes('Mark-Compact')).length;
}

describe('tuneHeapForStreaming', () => {
  it('lets streamed buffers be collected with the heap instead of forcing a mark-compact every few megabytes', () => {
    const untuned = markCompacts(false);
    const tuned = markCompacts(true);
    expect(untuned).toBeGreaterThan(10);
    expect(tuned).toBeLessThan(untuned / 3);
  });
});
