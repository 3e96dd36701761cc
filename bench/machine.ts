/** What the numbers were measured on: they mean nothing without the machine and the peers' versions. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  dcmtk: string;
  /** 1-minute load average when the bench started: a busy machine makes every number suspect. */
  loadAverage1m: number;
}

export function describeMachine(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    dcmtk: dcmtkVersion(),
    loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

function dcmtkVersion(): string {
  try {
    const text = execFileSync('storescp', ['--version'], { encoding: 'utf8' });
    return /storescp (v[\d.]+ \S+)/.exec(text)?.[1] ?? text.split('\n')[0]!.trim();
  } catch (error) {
    throw new Error(`DCMTK storescp is needed for the benchmark and could not be run: ${(error as Error).message}`, { cause: error });
  }
}
