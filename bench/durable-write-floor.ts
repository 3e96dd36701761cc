/**
 * What one durable file write costs on the disk the bench writes to. A gateway that answers 0x0000
 * only after write + fsync + rename + directory fsync cannot store one instance faster than this
 * (storescu waits for each response before sending the next), so this floor bounds every receive ratio.
 */
import { mkdtemp, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReceivedOutputs } from './received-outputs.ts';
import { median } from './stats.ts';

export interface DurableWriteFloor {
  fileBytes: number;
  samples: number;
  /** Median milliseconds for write + fsync + rename + directory fsync of one file. */
  medianMs: number;
  p90Ms: number;
}

/** The probe's files are left to `outputs` (removed when the bench ends), as every run's are. */
export async function measureDurableWriteFloor(
  outputs: ReceivedOutputs,
  parentDir: string,
  fileBytes: number,
  samples = 200,
): Promise<DurableWriteFloor> {
  const dir = await mkdtemp(join(parentDir, 'fsync-probe-'));
  const payload = Buffer.alloc(fileBytes, 0x5a);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const temp = join(dir, `${i}.part`);
      const file = await open(temp, 'w');
      try {
        await file.write(payload);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, join(dir, `${i}.dcm`));
      const folder = await open(dir, 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
      times.push(performance.now() - started);
    }
  } finally {
    outputs.release(dir);
  }
  times.sort((x, y) => x - y);
  return { fileBytes, samples, medianMs: median(times), p90Ms: times[Math.floor(samples * 0.9)]! };
}
