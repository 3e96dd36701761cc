/**
 * What tests start (gateways, in process or not, DCMTK peers) and the folders they make, stopped
 * and removed after the suite or after each test, whether the tests passed, failed or never got
 * that far. Processes stop last-started first (a gateway before the peers it forwards to), then the
 * folders go.
 */
import { afterAll, afterEach } from 'vitest';
import { removeDir } from './temp-dir.ts';

interface Stoppable {
  stop(signal?: NodeJS.Signals): Promise<unknown>;
}

export interface Cleanup {
  /** Stops `process` afterwards; returns it, so a start can be wrapped. */
  stopAfter<T extends Stoppable>(process: T): T;
  /** Removes `dir` afterwards, once the processes are stopped; returns it. */
  removeAfter(dir: string): string;
}

function cleanUpIn(hook: typeof afterAll, signal?: NodeJS.Signals): Cleanup {
  const processes: Stoppable[] = [];
  const dirs: string[] = [];
  hook(async () => {
    for (const process of processes.splice(0).reverse()) await process.stop(signal);
    for (const dir of dirs.splice(0)) await removeDir(dir);
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

/** `signal`: how processes are stopped (SIGKILL where a clean stop would change what is tested). */
export function cleanUpAfterSuite(signal?: NodeJS.Signals): Cleanup {
  return cleanUpIn(afterAll, signal);
}

export function cleanUpAfterEachTest(): Cleanup {
  return cleanUpIn(afterEach);
}
