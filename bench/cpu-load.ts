/**
 * Other work on the machine. On two shared cores, one busy neighbour can double a timing, so the
 * bench waits for a quiet machine before each pair of runs, and counts the CPU time spent during
 * a run by anything other than the processes it measures ("foreign" CPU) to flag disturbed rounds.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** USER_HZ: the unit of /proc/stat and /proc/<pid>/stat times; 100 on every Linux the bench targets. */
const TICKS_PER_SECOND = 100;

/** CPU seconds spent busy (not idle, not waiting for I/O) by the whole machine since boot. */
export async function systemBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** User + system CPU seconds of one process and its reaped children so far, or undefined when it is gone. */
export async function processCpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readProcStat(pid);
  return stat && stat.cpuSeconds;
}

async function readProcStat(pid: number | string): Promise<{ parentPid: number; cpuSeconds: number } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces: state, ppid, ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime + stime, plus cutime + cstime: children it has reaped (storescp --fork's per-association processes).
    const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    return { parentPid: Number(rest[1]), cpuSeconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of all kernel threads (kthreadd and its children) so far. Journal commits and
 * writeback run there on behalf of whoever fsyncs, so during a run they are the bench's own cost.
 */
export async function kernelThreadsCpuSeconds(): Promise<number> {
  let total = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readProcStat(name);
    if (stat && (name === '2' || stat.parentPid === 2)) total += stat.cpuSeconds;
  }
  return total;
}

/** Busy CPU seconds that the named processes and the bench itself do not account for. */
export function foreignCpuSeconds(systemBusy: number, measured: readonly (number | undefined)[]): number | undefined {
  if (measured.some((s) => s === undefined)) return undefined;
  const own = measured.reduce<number>((sum, s) => sum + (s ?? 0), 0);
  // Tick rounding on each reading can leave a small negative remainder on an idle machine.
  return Math.max(0, systemBusy - own);
}

export interface QuietWait {
  waitedSeconds: number;
  /** false when the deadline passed with the machine still busy. */
  quiet: boolean;
}

/**
 * Waits until the machine (the bench has no child running now) stays below `maxBusyCores` for
 * `quietSeconds` in a row, or until `timeoutSeconds`.
 */
export async function waitForQuiet(
  opts: { maxBusyCores?: number; quietSeconds?: number; timeoutSeconds?: number; onBusy?: (busyCores: number) => void } = {},
): Promise<QuietWait> {
  const maxBusy = opts.maxBusyCores ?? 0.15;
  const needed = opts.quietSeconds ?? 2;
  const timeout = opts.timeoutSeconds ?? 600;
  const started = Date.now();
  let quietFor = 0;
  let reported = false;
  for (;;) {
    const before = await systemBusySeconds();
    const ownBefore = process.cpuUsage();
    await delay(1000);
    const own = process.cpuUsage(ownBefore);
    const busy = (await systemBusySeconds()) - before - (own.user + own.system) / 1e6;
    quietFor = busy <= maxBusy ? quietFor + 1 : 0;
    const waited = (Date.now() - started) / 1000;
    if (quietFor >= needed) return { waitedSeconds: waited, quiet: true };
    if (waited >= timeout) return { waitedSeconds: waited, quiet: false };
    if (busy > maxBusy && !reported) {
      opts.onBusy?.(busy);
      reported = true;
    }
  }
}
