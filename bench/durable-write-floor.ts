/**
 * What the write a C-STORE's success waits for costs on the disk the bench writes to: one O_DSYNC
 * positional write of an instance's size into a preallocated file (already written, so no
 * metadata to flush), as the gateway's receive journal does it, through libuv's pool. storescu
 * waits for each response before sending the next instance, so no durable receiver stores one
 * instance faster than this; the bare Node SCP of the receive scenario adds the wire to it.
 */
import { constants } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ReceivedOutputs } from './received-outputs.ts';
import { median } from './stats.ts';

export interface DurableWriteFloor {
  fileBytes: number;
  samples: number;
  /** Median milliseconds of one O_DSYNC write of fileBytes into a preallocated file. */
  medianMs: number;
  p90Ms: number;
}

const BLOCK = 4096;

/** The probe's file is left to `outputs` (removed when the bench ends), as every run's are. */
export async function measureDurableWriteFloor(
  outputs: ReceivedOutputs,
  parentDir: string,
  fileBytes: number,
  samples = 200,
): Promise<DurableWriteFloor> {
  const dir = await mkdtemp(join(parentDir, 'fsync-probe-'));
  const stride = Math.ceil(fileBytes / BLOCK) * BLOCK;
  const payload = Buffer.alloc(fileBytes, 0x5a);
  const times: number[] = [];
  try {
    const path = join(dir, 'journal');
    const created = await open(path, 'w');
    try {
      // One stride of zeros at a time: the large corpus's file is 100 MB.
      const zeros = Buffer.alloc(stride);
      for (let i = 0; i < samples; i++) await created.write(zeros, 0, stride, i * stride);
      await created.sync();
    } finally {
      await created.close();
    }
    const file = await open(path, constants.O_RDWR | constants.O_DSYNC);
    try {
      for (let i = 0; i < samples; i++) {
        const started = performance.now();
        await file.write(payload, 0, fileBytes, i * stride);
        times.push(performance.now() - started);
      }
    } finally {
      await file.close();
    }
  } finally {
    outputs.release(dir);
  }
  times.sort((x, y) => x - y);
  return { fileBytes, samples, medianMs: median(times), p90Ms: times[Math.floor(samples * 0.9)]! };
}
