/** What the numbers were measured on: they mean nothing without the machine and the peers' versions. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** virtio's device id of a memory balloon, and its feature bit for free page reporting (virtio spec 5.5.3). */
const BALLOON_DEVICE_ID = 5;
const BALLOON_F_REPORTING = 5;

/** What the machine line says of a machine whose host takes freed memory back. */
export const FREE_PAGES_REPORTED =
  'free memory is reported to the host, so new file data costs a host fault per page (compare with the bare Node SCP/SCU, not DCMTK, across runs)';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  dcmtk: string;
  /** 1-minute load average when the bench started: a busy machine makes every number suspect. */
  loadAverage1m: number;
  /**
   * The host takes freed memory back (a balloon that reports free pages): writing new file data
   * then pays a trip to the host per page, which moves DCMTK's times more than ours
   * (docs/benchmarks.md, thirteenth session).
   */
  freePagesReported: boolean;
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
    freePagesReported: freePagesReported(),
  };
}

/** The machine in one line, as the bench's preamble and docs/benchmarks.md give it. */
export function formatMachine(m: MachineInfo): string {
  return (
    `${m.cores} x ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, DCMTK ${m.dcmtk}; ` +
    `load average ${m.loadAverage1m} when the run started${m.freePagesReported ? `; ${FREE_PAGES_REPORTED}` : ''}`
  );
}

/** Whether a virtio balloon in `devicesDir` (sysfs) negotiated free page reporting with the host. */
export function freePagesReported(devicesDir = '/sys/bus/virtio/devices'): boolean {
  let devices: string[];
  try {
    devices = readdirSync(devicesDir);
  } catch {
    return false; // no virtio bus: not a virtual machine of this kind
  }
  return devices.some((device) => {
    const read = (file: string) => readFileSync(join(devicesDir, device, file), 'utf8').trim();
    try {
      // `features` lists the negotiated bits as 0/1 characters, bit 0 first.
      return Number(read('device')) === BALLOON_DEVICE_ID && read('features')[BALLOON_F_REPORTING] === '1';
    } catch {
      return false;
    }
  });
}

function dcmtkVersion(): string {
  try {
    const text = execFileSync('storescp', ['--version'], { encoding: 'utf8' });
    return /storescp (v[\d.]+ \S+)/.exec(text)?.[1] ?? text.split('\n')[0]!.trim();
  } catch (error) {
    throw new Error(`DCMTK storescp is needed for the benchmark and could not be run: ${(error as Error).message}`, { cause: error });
  }
}
