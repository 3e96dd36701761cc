/**
 * What a suite's tests start (gateways, DCMTK peers) and the folders they make, stopped and removed
 * after the suite whether its tests passed, failed or never got that far.
 */
import { afterAll } from 'vitest';
import { removeDir } from './temp-dir.ts';

interface Stoppable {
  stop(signal?: NodeJS.Signals): Promise<unknown>;
}

export interface SuiteCleanup {
  /** Stops `process` after the suite; returns it, so a start can be wrapped. */
  stopAfter<T extends Stoppable>(process: T): T;
  /** Removes `dir` after the suite (after the processes are stopped); returns it. */
  removeAfter(dir: string): string;
}

/** `signal`: how processes are stopped (SIGKILL where a clean stop would change what is tested). */
export function cleanUpAfterSuite(signal?: NodeJS.Signals): SuiteCleanup {
  const processes: Stoppable[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const process of processes) await process.stop(signal);
    for (const dir of dirs) await removeDir(dir);
  });
  return {
    stopAfter(process) {
      processes.push(process);
      return process;
    },
    removeAfter(dir) {
      dirs.push(dir);
      return dir;
    },
  };
}
