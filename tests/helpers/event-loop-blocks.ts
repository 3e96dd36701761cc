/**
 * Measures how long this process's event loop is blocked by its own work. A timer ticks every
 * few ms; for each gap between ticks we know the extra wall time (how late the tick came) and the
 * CPU time the event loop's thread used meanwhile. On a loaded machine a late tick is often the OS
 * running other programs, which no code here can avoid, so a block is the smaller of the two: a gap
 * counts as a block of N ms only if the tick was N ms late AND the thread burnt N ms of CPU in it.
 * The thread's own CPU time, not the process's: the garbage collector's and libuv's helper threads
 * run beside the loop without blocking it, and counting them made a short block read as a long one
 * when those threads were busy (a flake seen once in CI: 58 ms against 12 ms typical).
 */
export interface EventLoopBlocks {
  /** Longest block by this process's own work, in ms. */
  maxBlockMs: number;
  /** Latest tick by wall clock, in ms (includes time the OS gave to other programs). */
  maxLateMs: number;
  ticks: number;
}

export function watchEventLoopBlocks(intervalMs = 5): { stop(): EventLoopBlocks } {
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let maxBlockMs = 0;
  let maxLateMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.threadCpuUsage(lastCpu);
    const lateMs = Math.max(0, now - last - intervalMs);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    maxLateMs = Math.max(maxLateMs, lateMs);
    maxBlockMs = Math.max(maxBlockMs, Math.min(lateMs, cpuMs));
    ticks++;
    last = now;
    lastCpu = process.threadCpuUsage();
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { maxBlockMs, maxLateMs, ticks };
    },
  };
}
