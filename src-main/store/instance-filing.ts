/**
 * Puts acknowledged instances' files in place: the filing half of the journal applier, carried out
 * on the filing thread (filing-worker.ts) with synchronous calls. On the main thread the same work
 * was five trips through libuv's thread pool per file (open, write, fsync, close, rename), each a
 * wake-up of a pool thread and a promise: a tenth of a small instance's receive.
 *
 * For each record: its bytes (the whole Part-10 file, read back from the journal segment, where
 * the acknowledgement's write left them in the page cache) are written into .incoming/ (from
 * 64 KiB on past the page cache: durable-file-write.ts); a large instance spilled to .incoming/
 * while it arrived is renamed into place. Then the batch's new files are fsynced, several at a
 * time, and renamed to studies/<study>/<series>/<sop>.dcm, and every folder that gained an entry
 * is fsynced. Only then may the index rows that name the files commit.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { discardAll, DurableFileWriter, syncAll, type WrittenFile } from './durable-file-write.ts';
import { fsyncDirSync } from './fsync-dir.ts';
import type { JournalPlace } from './journal.ts';
import { INCOMING_DIR } from './store-layout.ts';

/** One instance to file. Plain data: it crosses to the filing thread. */
export interface FilingJob {
  lsn: number;
  /** The instance file, relative to the store root. */
  path: string;
  /** A large instance's fsynced file in .incoming/, or null: the body is in the journal. */
  tempName: string | null;
  body: JournalPlace;
  headerLength: number;
  datasetLength: number;
  datasetSha256: string;
  /** Read back at start-up: its file may already be in place from before the crash. */
  replayed: boolean;
}

export class InstanceFiling {
  private readonly root: string;
  /** Folders known to exist (and to be durable entries of their parents). */
  private readonly knownDirs = new Set<string>();
  /**
   * Bodies are read into its one staging buffer (grown to the largest so far: a new one per
   * instance piled up 512 KiB buffers faster than the thread's collector freed them) and written
   * from there, large ones past the page cache.
   */
  private readonly writer = new DurableFileWriter();

  constructor(root: string) {
    this.root = root;
  }

  /** Files every job, then fsyncs the folders they went into. Rejects (nothing partial left) on the first failure. */
  async fileBatch(jobs: FilingJob[]): Promise<void> {
    const dirs = new Set<string>();
    const written: Written[] = [];
    try {
      for (const job of jobs) {
        const target = join(this.root, job.path);
        this.ensureDir(dirname(target));
        dirs.add(dirname(target));
        const file = this.file(job, target);
        if (file) written.push({ file, target });
      }
    } catch (err) {
      // Disk full: nothing partial stays behind; the records are still in the journal for the retry.
      discardAll(written.map((w) => w.file));
      throw err;
    }
    await syncAll(written.map((w) => w.file));
    for (const { file, target } of written) renameSync(file.path, target);
    for (const dir of dirs) fsyncDirSync(dir);
  }

  /**
   * Puts a spilled instance's file in place, or writes a journal body into .incoming/ and returns
   * it (not yet durable), or does nothing: replay found the file there complete already.
   */
  private file(job: FilingJob, target: string): WrittenFile | undefined {
    if (job.tempName !== null) {
      const temp = join(this.root, INCOMING_DIR, job.tempName);
      // The spilled file was fsynced before the record was written: renaming it is all there is to do.
      if (existsSync(temp)) renameSync(temp, target);
      else if (!isComplete(target, job)) throw new Error(`${job.path}: neither its temp file ${job.tempName} nor a complete file is there`);
      return undefined;
    }
    if (job.replayed && isComplete(target, job)) return undefined;
    return this.writer.write(join(this.root, INCOMING_DIR, `journal-${job.lsn}.part`), this.read(job.body));
  }

  private ensureDir(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    const created = mkdirSync(dir, { recursive: true });
    if (created) {
      // New folders are entries in their parents: fsync up the chain so the path itself survives a crash.
      for (let d = dir; d.length >= this.root.length && d !== dirname(d); d = dirname(d)) {
        fsyncDirSync(dirname(d));
        if (d === created) break;
      }
    }
    this.knownDirs.add(dir);
  }

  /** A record's body, read from the journal into the staging buffer (valid until the next read). */
  private read(place: JournalPlace): Buffer {
    return readPlace(place, this.writer.staged(place.length));
  }
}

/** A body written into .incoming/, and where it goes once durable. */
interface Written {
  file: WrittenFile;
  target: string;
}

/** Fills `bytes` with the body at `place`. */
function readPlace(place: JournalPlace, bytes: Buffer): Buffer {
  const fd = openSync(place.file, 'r');
  try {
    for (let done = 0; done < place.length;) {
      const read = readSync(fd, bytes, done, place.length - done, place.offset + done);
      if (read === 0) throw new Error(`${place.file} ends before the record body at ${place.offset} (${place.length} bytes)`);
      done += read;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Whether the file at `path` already holds exactly this instance (replay after the rename). */
function isComplete(path: string, job: FilingJob): boolean {
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size !== job.headerLength + job.datasetLength) return false;
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = job.headerLength; at < size;) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (read === 0) return false;
      hash.update(chunk.subarray(0, read));
      at += read;
    }
    return hash.digest('hex') === job.datasetSha256;
  } finally {
    closeSync(fd);
  }
}
