/**
 * What the runs received (receiver folders, the gateway's and Orthanc's stores), kept until the
 * end of the bench instead of removed after each run.
 *
 * Why: on an ext4 without a journal (as on the machines this bench was written on,
 * /proc/fs/ext4/<dev>/options without journal_task), creating a file skips, one by one, every
 * inode of its block group freed in the last 60 s (360 s while the inode table block is still
 * dirty): `recently_deleted()` in the kernel's ialloc.c. A run that deleted the previous run's
 * thousands of files made the next run, of either side, pay that scan: `storescp +B` spent 62-75 %
 * of its CPU in it, the gateway's filing 14-26 % (perf, docs/benchmarks.md). Neither pays it on a
 * journaled file system, so the bench keeps the folders and removes them when it ends. Should the
 * disk run short first, it removes what it kept, flushes, and waits out the 60 s, saying so.
 */
import { rm, statfs } from 'node:fs/promises';
import { flushFileSystems } from './scenarios.ts';

/** ext4 treats an inode freed less than this long ago (once its table block is written) as still in use. */
const RECENTLY_DELETED_SECONDS = 61;
const MARGIN_BYTES = 2 * 1024 ** 3;

export class ReceivedOutputs {
  private readonly workDir: string;
  private readonly waitSeconds: number;
  private readonly kept: string[] = [];

  constructor(workDir: string, waitSeconds = RECENTLY_DELETED_SECONDS) {
    this.workDir = workDir;
    this.waitSeconds = waitSeconds;
  }

  /** A run is done with `dir`: it stays on disk until the bench ends or room is needed. */
  release(dir: string): void {
    this.kept.push(dir);
  }

  /**
   * Before a run that may write `bytes`: when the disk would fall short of them plus a margin,
   * removes every kept folder, then waits until the file system no longer counts their inodes as
   * recently deleted, so the next run does not pay for the removal.
   */
  async makeRoom(bytes: number): Promise<void> {
    if (this.kept.length === 0 || (await freeBytes(this.workDir)) >= bytes + MARGIN_BYTES) return;
    console.log(`  removing ${this.kept.length} earlier runs' output to make room, then waiting ${this.waitSeconds} s`);
    await this.removeAll();
    await flushFileSystems();
    // Not an event to wait for: the kernel compares the inodes' deletion time with the clock.
    await new Promise((resolve) => setTimeout(resolve, this.waitSeconds * 1000));
  }

  async removeAll(): Promise<void> {
    for (const dir of this.kept.splice(0)) await rm(dir, { recursive: true, force: true });
  }
}

async function freeBytes(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return fs.bavail * fs.bsize;
}
