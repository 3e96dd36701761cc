/**
 * The background half of a receive: carries out acknowledged journal records, in lsn order and in
 * batches, never on the path of an acknowledgement.
 *
 * For each batch: the filing thread (filing-thread.ts, instance-filing.ts) writes every new
 * instance's file into .incoming/, fsyncs it and renames it to studies/<study>/<series>/<sop>.dcm
 * (the bytes the record holds, read back from the journal: the same bytes as ever) and fsyncs the
 * folders; then ONE index transaction inserts the rows, counts duplicates, creates
 * the routing jobs and moves journal_state.applied_lsn. Only once a journal segment's records are
 * all applied and the index is synced to disk is the segment's space reused.
 *
 * Records are applied as a gap-free prefix of lsns: a big record still being written holds back
 * the ones after it, because applied_lsn says "everything up to here", and skipping one would make
 * a crash lose it. Replay is idempotent: a row already there is not inserted again, a file already
 * complete is not rewritten. Outside replay the target was free when the version was chosen, so
 * it is not checked again.
 */
import { isDiskFull, syncIndex, transaction } from '../db/database.ts';
import type { IndexRepository } from '../db/index-repository.ts';
import type { IndexFields } from '../dicom/index-fields.ts';
import type { MetaGroupFields } from '../dicom/p10-writer.ts';
import type { Logger } from '../log/logger.ts';
import { FilingThread } from './filing-thread.ts';
import type { FilingJob } from './instance-filing.ts';
import type { BodyLocation, Journal } from './journal.ts';
import type { JournalEntry, ReceiveContext, StoredEntry } from './journal-entry.ts';

/** Called inside the transaction that indexes a new instance version (not for duplicates). */
export type IndexedHook = (instanceId: number, meta: MetaGroupFields, fields: IndexFields, context: ReceiveContext) => void;

export interface DurableRecord {
  lsn: number;
  entry: JournalEntry;
  body: BodyLocation;
  /** Read back from the journal at start-up: its file may already be in place from before the crash. */
  replayed: boolean;
}

const BATCH_RECORDS = 256;
const BATCH_BYTES = 32 * 1024 * 1024;
/**
 * A batch starts once this many records wait, or GATHER_MS after the previous one ended, whichever
 * comes first (at once when someone waits for the index: drain(), indexed(), stop()). With the
 * filing on its own thread, batches taken as soon as anything waited held one or two records, and
 * the index's commit per batch cost the main thread more than the filing had. Each commit writes
 * every index page it touched (about 60 for 20 small instances): 128 records or 25 ms made a
 * small receive faster than 32 or 10 ms in 8 of 10 pairs, and 256 or 50 ms no faster again
 * (docs/benchmarks.md, eighteenth session). The wait is never an acknowledgement's.
 */
const GATHER_RECORDS = 128;
const GATHER_MS = 25;
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
  private readonly filing: FilingThread;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  /** Someone waits for the index: batches start without gathering until everything settled is applied. */
  private hurried = false;
  /** Ends the current gathering wait early. */
  private endGathering: (() => void) | undefined;
  private waiters: { lsn: number; resolve: () => void }[] = [];

  constructor(options: ApplierOptions, appliedLsn: number) {
    this.o = options;
    this.nextLsn = appliedLsn + 1;
    this.filing = new FilingThread(options.root);
  }

  settle(lsn: number, record: DurableRecord | null): void {
    this.settled.set(lsn, record);
    if (this.settled.size >= GATHER_RECORDS) this.endGathering?.();
    this.kick();
  }

  /** An instance is arriving: have the filing thread ready for its record. */
  warm(): void {
    this.filing.warm();
  }

  /** Applies everything settled without gathering more first: someone is waiting for it. */
  hurry(): void {
    this.hurried = true;
    this.endGathering?.();
    this.kick();
  }

  kick(): void {
    if (this.running || this.stopped || this.retryTimer) return;
    this.running = this.runBatches().finally(() => (this.running = undefined));
  }

  /** Resolves once everything settled so far is applied (or applying failed and will be retried). */
  async drain(): Promise<void> {
    if (this.running) this.hurry();
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

  /**
   * Space has returned: a batch that failed is tried again now instead of at its retry time.
   * Resolves once that try has ended (its success makes the store writable again).
   */
  async retryNow(): Promise<void> {
    if (!this.failing || this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.hurry();
    await this.drain();
  }

  /** Applies what it can, then stops (no retries after this). */
  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (!this.failing) {
      this.hurry();
      await this.drain();
    }
    this.stopped = true;
    await this.drain();
    await this.filing.stop();
    this.releaseWaiters(true);
  }

  pendingCount(): number {
    return this.settled.size;
  }

  private async runBatches(): Promise<void> {
    for (;;) {
      await this.gather();
      const batch = this.nextBatch();
      if (batch.length === 0) {
        this.hurried = false;
        return;
      }
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
      for (let lsn = this.nextLsn; lsn <= lastLsn; lsn++) this.settled.delete(lsn);
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

  private async gather(): Promise<void> {
    if (this.hurried || this.stopped || this.settled.size >= GATHER_RECORDS) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endGathering?.(), GATHER_MS);
      this.endGathering = () => {
        clearTimeout(timer);
        this.endGathering = undefined;
        resolve();
      };
    });
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
    // Files and folders durable before the rows that point at them commit.
    await this.filing.file(records.flatMap((r) => (r.entry.kind === 'stored' ? [this.filingJob(r, r.entry)] : [])));
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

  private filingJob(record: DurableRecord, entry: StoredEntry): FilingJob {
    return {
      lsn: record.lsn,
      path: entry.path,
      tempName: entry.tempName,
      body: this.o.journal.bodyPlace(record.body),
      headerLength: entry.headerLength,
      datasetLength: entry.datasetLength,
      datasetSha256: entry.datasetSha256,
      replayed: record.replayed,
    };
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
