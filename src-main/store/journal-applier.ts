/**
 * The background half of a receive: carries out acknowledged journal records, in lsn order and in
 * batches, never on the path of an acknowledgement.
 *
 * For each batch: every new instance's file is written into .incoming/, fsynced and renamed to
 * studies/<study>/<series>/<sop>.dcm (the bytes the record holds, so the same bytes as ever); the
 * folders are fsynced; then ONE index transaction inserts the rows, counts duplicates, creates
 * the routing jobs and moves journal_state.applied_lsn. Only once a journal segment's records are
 * all applied and the index is synced to disk is the segment's space reused.
 *
 * Records are applied as a gap-free prefix of lsns: a big record still being written holds back
 * the ones after it, because applied_lsn says "everything up to here", and skipping one would make
 * a crash lose it. Replay is idempotent: a row already there is not inserted again, a file already
 * complete is not rewritten. Outside replay the target was free when the version was chosen, so
 * it is not checked again.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isDiskFull, syncIndex, transaction } from '../db/database.ts';
import type { IndexRepository } from '../db/index-repository.ts';
import type { IndexFields } from '../dicom/index-fields.ts';
import type { MetaGroupFields } from '../dicom/p10-writer.ts';
import type { Logger } from '../log/logger.ts';
import { fsyncDir } from './fsync-dir.ts';
import type { BodyLocation, Journal } from './journal.ts';
import type { JournalEntry, ReceiveContext, StoredEntry } from './journal-entry.ts';
import { INCOMING_DIR } from './store-layout.ts';
import { writeFully } from './write-fully.ts';

/** Called inside the transaction that indexes a new instance version (not for duplicates). */
export type IndexedHook = (instanceId: number, meta: MetaGroupFields, fields: IndexFields, context: ReceiveContext) => void;

export interface DurableRecord {
  lsn: number;
  entry: JournalEntry;
  body: BodyLocation;
  /** The body still in memory (saves reading it back), when the memory bound allowed keeping it. */
  bytes: Buffer[] | undefined;
  /** Read back from the journal at start-up: its file may already be in place from before the crash. */
  replayed: boolean;
}

const BATCH_RECORDS = 256;
const BATCH_BYTES = 32 * 1024 * 1024;
/**
 * Bodies kept in memory for filing, beyond which the applier reads them back from the journal
 * (the page cache, a copy). Kept small: a held body is made of PDV views that pin the socket's
 * 64 KiB read buffers, and the C heap does not give those back once freed out of order. With 64 MiB,
 * four concurrent senders of 512 KiB instances peaked at 242-289 MB RSS; with 4 MiB at 170-178 MB,
 * in the same time (a single sender's receive: the same time and peak from 4 to 64 MiB).
 */
export const MAX_HELD_BYTES = 4 * 1024 * 1024;
// libuv has 4 threads for file I/O, shared with the acknowledgement path's journal writes: filing
// takes at most two of them, so an acknowledgement never queues behind a batch of file fsyncs.
const PARALLEL_FILES = 2;
const RETRY_MS = 1000;

export interface ApplierOptions {
  root: string;
  repo: IndexRepository;
  journal: Journal<JournalEntry>;
  logger: Logger;
  onIndexed: IndexedHook | undefined;
  /** After each committed batch, with the records it applied. */
  onApplied: (records: DurableRecord[]) => void;
  /** The store cannot be written (disk full) or can again. */
  onWritableChange: (writable: boolean, reason: string) => void;
}

export class JournalApplier {
  private readonly o: ApplierOptions;
  /** Settled records by lsn: durable ones, or null for an append that failed (never acknowledged). */
  private readonly settled = new Map<number, DurableRecord | null>();
  private nextLsn: number;
  private heldBytes = 0;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  private readonly knownDirs = new Set<string>();
  private waiters: { lsn: number; resolve: () => void }[] = [];

  constructor(options: ApplierOptions, appliedLsn: number) {
    this.o = options;
    this.nextLsn = appliedLsn + 1;
  }

  /** Whether a record's body may stay in memory until it is applied (bounds memory under load). */
  mayHold(bytes: number): boolean {
    return this.heldBytes + bytes <= MAX_HELD_BYTES;
  }

  settle(lsn: number, record: DurableRecord | null): void {
    if (record?.bytes) this.heldBytes += byteLength(record.bytes);
    this.settled.set(lsn, record);
    this.kick();
  }

  kick(): void {
    if (this.running || this.stopped || this.retryTimer) return;
    this.running = this.runBatches().finally(() => (this.running = undefined));
  }

  /** Resolves once everything settled so far is applied (or applying failed and will be retried). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Resolves once every record up to `lsn` is applied, or as soon as applying fails (disk full):
   * a caller waiting to report progress must not wait for space to return.
   */
  whenApplied(lsn: number): Promise<void> {
    if (lsn < this.nextLsn || this.failing) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ lsn, resolve }));
  }

  private releaseWaiters(all: boolean): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (all || w.lsn < this.nextLsn) w.resolve();
      else this.waiters.push(w);
    }
  }

  /** Applies what it can, then stops (no retries after this). */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (!this.failing) {
      this.kick();
      await this.drain();
    }
    this.stopped = true;
    await this.drain();
    this.releaseWaiters(true);
  }

  pendingCount(): number {
    return this.settled.size;
  }

  private async runBatches(): Promise<void> {
    for (;;) {
      const batch = this.nextBatch();
      if (batch.length === 0) return;
      const lastLsn = this.lastLsnOf(batch);
      try {
        await this.apply(
          batch.filter((r): r is DurableRecord => r !== null),
          lastLsn,
        );
      } catch (err) {
        this.failed(err as Error);
        return;
      }
      for (let lsn = this.nextLsn; lsn <= lastLsn; lsn++) {
        const record = this.settled.get(lsn);
        if (record?.bytes) this.heldBytes -= byteLength(record.bytes);
        this.settled.delete(lsn);
      }
      this.nextLsn = lastLsn + 1;
      this.releaseWaiters(false);
      if (this.failing) {
        this.failing = false;
        this.o.onWritableChange(true, 'the store could be written again');
      }
      this.o.onApplied(batch.filter((r): r is DurableRecord => r !== null));
      await this.retireSegments(lastLsn);
    }
  }

  /** The gap-free run of settled records starting at nextLsn, bounded in count and bytes. */
  private nextBatch(): (DurableRecord | null)[] {
    const batch: (DurableRecord | null)[] = [];
    let bytes = 0;
    for (let lsn = this.nextLsn; this.settled.has(lsn) && batch.length < BATCH_RECORDS && bytes < BATCH_BYTES; lsn++) {
      const record = this.settled.get(lsn)!;
      batch.push(record);
      bytes += record?.body.length ?? 0;
    }
    return batch;
  }

  private lastLsnOf(batch: (DurableRecord | null)[]): number {
    return this.nextLsn + batch.length - 1;
  }

  private async apply(records: DurableRecord[], lastLsn: number): Promise<void> {
    const stored = records.filter((r) => r.entry.kind === 'stored');
    const dirs = new Set<string>();
    for (let i = 0; i < stored.length; i += PARALLEL_FILES) {
      await Promise.all(stored.slice(i, i + PARALLEL_FILES).map((r) => this.materialize(r, dirs)));
    }
    // A rename is durable only once its folder is: before the rows that point at the files commit.
    await Promise.all([...dirs].map((d) => fsyncDir(d)));
    const { repo, onIndexed } = this.o;
    transaction(repo.database, () => {
      for (const { entry } of records) {
        if (entry.kind === 'duplicate') repo.countDuplicate(entry.id);
        else if (!repo.instanceExists(entry.id)) {
          repo.insertInstance(rowOf(entry));
          onIndexed?.(entry.id, entry.meta, entry.fields, entry.context);
        }
      }
      repo.setAppliedLsn(lastLsn);
    });
  }

  /** Puts the instance's file in place, unless replay finds it there complete already. */
  private async materialize(record: DurableRecord, dirs: Set<string>): Promise<void> {
    const entry = record.entry as StoredEntry;
    const target = join(this.o.root, entry.path);
    await this.ensureDir(dirname(target));
    dirs.add(dirname(target));
    if (entry.tempName !== null) {
      const temp = join(this.o.root, INCOMING_DIR, entry.tempName);
      // The spilled file was fsynced before the record was written: renaming it is all there is to do.
      if (await exists(temp)) await rename(temp, target);
      else if (!(await isComplete(target, entry)))
        throw new Error(`${entry.path}: neither its temp file ${entry.tempName} nor a complete file is there`);
      return;
    }
    if (record.replayed && (await isComplete(target, entry))) return;
    const bytes = record.bytes ?? [await this.o.journal.readBody(record.body)];
    const temp = join(this.o.root, INCOMING_DIR, `journal-${record.lsn}.part`);
    const file = await open(temp, 'w');
    try {
      await writeFully(file, bytes, 0);
      await file.sync();
    } catch (err) {
      // Disk full: nothing partial stays behind; the record is still in the journal for the retry.
      await file.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await file.close();
    await rename(temp, target);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const created = await mkdir(dir, { recursive: true });
    if (created) {
      // New folders are entries in their parents: fsync up the chain so the path itself survives a crash.
      for (let d = dir; d.length >= this.o.root.length && d !== dirname(d); d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === created) break;
      }
    }
    this.knownDirs.add(dir);
  }

  private async retireSegments(appliedLsn: number): Promise<void> {
    const { journal, repo } = this.o;
    if (journal.retirable(appliedLsn) === 0) return;
    try {
      syncIndex(repo.database);
      await journal.retire(appliedLsn);
    } catch (err) {
      // Not retiring only keeps journal space in use a little longer; the next batch tries again.
      this.o.logger.warn('journal.retire-failed', { error: (err as Error).message });
    }
  }

  private failed(err: Error): void {
    this.releaseWaiters(true);
    const full = isDiskFull(err);
    if (!this.failing) {
      this.failing = true;
      if (full) this.o.onWritableChange(false, `storage full: ${err.message}`);
    }
    this.o.logger.error('journal.apply-failed', {
      error: err.message,
      diskFull: full,
      pending: this.settled.size,
      retryInMs: RETRY_MS,
    });
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}

function rowOf(entry: StoredEntry) {
  return {
    id: entry.id,
    sopInstanceUid: entry.meta.sopInstanceUid,
    version: entry.version,
    sopClassUid: entry.meta.sopClassUid,
    transferSyntaxUid: entry.meta.transferSyntaxUid,
    fields: entry.fields,
    path: entry.path,
    size: entry.headerLength + entry.datasetLength,
    datasetOffset: entry.headerLength,
    datasetLength: entry.datasetLength,
    datasetSha256: entry.datasetSha256,
    receivedAt: entry.receivedAt,
    associationId: entry.context.associationId,
    callingAe: entry.context.callingAe,
    incomingName: entry.tempName,
  };
}

/** Whether the file at `path` already holds exactly this instance (replay after the rename). */
async function isComplete(path: string, entry: StoredEntry): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => -1,
  );
  if (size !== entry.headerLength + entry.datasetLength) return false;
  const file = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = entry.headerLength; at < size;) {
      const { bytesRead } = await file.read(chunk, 0, Math.min(chunk.length, size - at), at);
      if (bytesRead === 0) return false;
      hash.update(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex') === entry.datasetSha256;
  } finally {
    await file.close();
  }
}

function byteLength(buffers: Buffer[]): number {
  return buffers.reduce((n, b) => n + b.length, 0);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
