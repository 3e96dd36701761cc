import { describe, expect, it } from 'vitest';
import { foreignCpuSeconds, kernelThreadsCpuSeconds, processCpuSeconds, systemBusySeconds } from '../../../bench/cpu-load.ts';

describe('foreignCpuSeconds', () => {
  it('is the busy time the measured processes do not account for', () => {
    expect(foreignCpuSeconds(3, [1, 0.5, 0.25])).toBe(1.25);
  });

  it('clamps tick-rounding leftovers at zero', () => {
    expect(foreignCpuSeconds(1, [0.6, 0.41])).toBe(0);
  });

  it('is unknown when one of the measured processes could not be read', () => {
    expect(foreignCpuSeconds(3, [1, undefined])).toBeUndefined();
  });
});

describe('reading /proc', () => {
  it('reads the CPU time of a live process, of the kernel threads and of the machine, and nothing for a missing pid', async () => {
    expect(await processCpuSeconds(process.pid)).toBeGreaterThanOrEqual(0);
    expect(await systemBusySeconds()).toBeGreaterThan(0);
    // The kernel threads' share can only be part of what the whole machine spent.
    expect(await kernelThreadsCpuSeconds()).toBeLessThanOrEqual(await systemBusySeconds());
    expect(await processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
    expect(await processCpuSeconds(undefined)).toBeUndefined();
  });
});
