/**
 * The durable instance store: where a received instance is validated, made durable, then (in the
 * background) filed, indexed and routed. Read in this order:
 *
 *   commit():  read the index fields (0xC000 if the dataset cannot be read)
 *          ->  decide, under a per-UID lock: duplicate of a kept version, or a new version with
 *              its row id and its path (looking at the index AND at records still in the journal)
 *          ->  append one journal record, durable when written (0xA700 if that fails)
 *          ->  return: the caller answers success. The instance is durable.
 *   applier:   file it under studies/, index it and create its routing jobs, in group commits
 *              (journal-applier.ts); a crash anywhere replays from the journal.
 *
 * Small instances (up to INLINE_LIMIT) go into the journal whole. Larger ones are streamed to a
 * temp file in .incoming/ and fsynced as before, and their record only names that file: they are
 * bandwidth-bound anyway, and holding them in memory per association would not be bounded.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IndexRepository, InstanceVersion } from '../db/index-repository.ts';
import { IndexFieldsNeedMoreData, readIndexFieldsFromDataset, readIndexFieldsFromFile, type IndexFields } from '../dicom/index-fields.ts';
import { buildP10Header, type MetaGroupFields } from '../dicom/p10-writer.ts';
import { silentLogger, type Logger } from '../log/logger.ts';
import { fsyncDir } from './fsync-dir.ts';
import { IncomingInstanceWriter, StoreWriteError, type FlowControl, type WrittenInstance } from './incoming-instance-writer.ts';
import { JournalApplier, type DurableRecord, type IndexedHook } from './journal-applier.ts';
import type { JournalEntry, ReceiveContext, StoredEntry } from './journal-entry.ts';
import { JournalWritePath } from './journal-write-path.ts';
import { DEFAULT_SEGMENT_BYTES, Journal, JournalFullError, type BodyDigest } from './journal.ts';
import { INCOMING_DIR, JOURNAL_DIR, STUDIES_DIR, instancePath } from './store-layout.ts';

export type { ReceiveContext } from './journal-entry.ts';
export type { IndexedHook } from './journal-applier.ts';

/**
 * Instances up to this size are journaled whole. 1 MiB: above it the write itself dominates (the
 * durable-write floor of a 512 KiB file is already mostly bandwidth), and 32 associations each
 * holding 1 MiB stays within the gateway's memory budget.
 */
export const INLINE_LIMIT = 1024 * 1024;

const SPACE_PROBE_MS = 1000;
/** Below this much free space at start-up the store starts read-only (a journal segment's worth). */
const MIN_FREE_BYTES = DEFAULT_SEGMENT_BYTES;

export interface StoredInstance {
  kind: 'stored' | 'duplicate';
  instanceId: number;
  /** Relative to the store root. */
  path: string;
  version: number;
  fields: IndexFields;
  written: WrittenInstance;
  /**
   * Settles once the instance is filed and indexed (milliseconds after the acknowledgement), or
   * once filing has failed for now (disk full; it is retried). Events for the UI wait for it:
   * what the UI then reads from the index has the instance.
   */
  indexed: Promise<void>;
}

export interface StoreOptions {
  /** Routing: called inside the transaction that indexes a new instance version. */
  onIndexed?: IndexedHook;
  /** Elements to read at receive time beyond the built-in index fields (what the rules look at). */
  extraTags?: () => readonly number[];
  /** After each group commit, with the row ids it indexed (new versions and duplicates). */
  onBatchIndexed?: (instanceIds: number[]) => void;
  logger?: Logger;
  segmentBytes?: number;
  /**
   * Whether a small journal record may be written on the event loop's thread now (journal-write-path.ts).
   * The gateway allows it while at most one association is open; without this option, always.
   */
  inlineJournalWrites?: () => boolean;
  /** The store turned read-only (with why) or writable again (undefined); also while it opens. */
  onReadOnlyChange?: (reason: string | undefined) => void;
}

/** The dataset could not be read; answered with 0xC000 and nothing kept. */
export class UnreadableInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableInstanceError';
  }
}

/** A version known to the store: indexed, or decided and journaled but not indexed yet. */
type KnownVersion = Pick<InstanceVersion, 'id' | 'version' | 'sopClassUid' | 'transferSyntaxUid' | 'datasetSha256' | 'path'>;

export class InstanceStore {
  readonly root: string;
  private readonly repo: IndexRepository;
  private readonly incomingDir: string;
  private readonly journal: Journal<JournalEntry>;
  private readonly applier: JournalApplier;
  private readonly uidLocks = new Map<string, Promise<unknown>>();
  /** Versions journaled but not yet in the index, by SOP Instance UID. */
  private readonly journaledVersions = new Map<string, KnownVersion[]>();
  /** Paths those versions will take (a new version never takes one). */
  private readonly reservedPaths = new Set<string>();
  private readonly extraTags: () => readonly number[];
  private readonly logger: Logger;
  private readonly onReadOnlyChange: ((reason: string | undefined) => void) | undefined;
  private nextId: number;
  private unwritable: string | undefined;
  private spaceProbe: NodeJS.Timeout | undefined;
  /** The last lsn handed out (what indexed() waits for). */
  private lastLsn = 0;
  /**
   * Temp file names: random once per opening, then counted. Random bytes per instance were 3 % of
   * a small instance's receive in a CPU profile; the prefix alone keeps names
   * from a previous run (removed at start-up unless a record needs them) from ever being reused.
   */
  private readonly tempPrefix = randomBytes(9).toString('hex');
  private tempCount = 0;

  private constructor(root: string, repo: IndexRepository, journal: Journal<JournalEntry>, options: StoreOptions, nextId: number) {
    this.root = root;
    this.repo = repo;
    this.incomingDir = join(root, INCOMING_DIR);
    this.journal = journal;
    this.extraTags = options.extraTags ?? (() => []);
    this.logger = options.logger ?? silentLogger;
    this.onReadOnlyChange = options.onReadOnlyChange;
    this.nextId = nextId;
    this.applier = new JournalApplier(
      {
        root,
        repo,
        journal,
        logger: this.logger,
        onIndexed: options.onIndexed,
        onApplied: (records) => this.applied(records, options.onBatchIndexed),
        onWritableChange: (writable, reason) => this.writableChanged(writable, reason),
      },
      repo.appliedLsn(),
    );
  }

  /**
   * Opens the store: replays the journal (every acknowledged instance is filed, indexed and routed
   * before this resolves, unless the disk is full: then the store starts read-only and finishes by
   * itself once space returns), and deletes temp files no record needs.
   */
  static async open(root: string, repo: IndexRepository, options: StoreOptions = {}): Promise<InstanceStore> {
    await mkdir(join(root, STUDIES_DIR), { recursive: true });
    await mkdir(join(root, INCOMING_DIR), { recursive: true });
    await mkdir(join(root, JOURNAL_DIR), { recursive: true });
    const { journal, records } = await Journal.open<JournalEntry>(
      join(root, JOURNAL_DIR),
      repo.appliedLsn(),
      options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      new JournalWritePath(options.inlineJournalWrites),
    );
    const maxId = Math.max(repo.maxInstanceId(), ...records.map((r) => (r.meta.kind === 'stored' ? r.meta.id : 0)));
    const store = new InstanceStore(root, repo, journal, options, maxId + 1);
    for (const record of records) store.remember(record.meta);
    await store.removeStrayTempFiles(
      new Set(records.flatMap((r) => (r.meta.kind === 'stored' && r.meta.tempName ? [r.meta.tempName] : []))),
    );
    for (const record of records)
      store.applier.settle(record.lsn, { lsn: record.lsn, entry: record.meta, body: record.body, replayed: true });
    await store.applier.drain();
    if (records.length > 0) store.logger.info('journal.replayed', { records: records.length, pending: store.applier.pendingCount() });
    await journal.prepareSpare();
    if (store.unwritable === undefined && !(await store.hasRoom())) store.writableChanged(false, 'storage full at start-up');
    return store;
  }

  /** Starts receiving an instance; the caller has validated the UIDs in `meta`. */
  beginIncoming(meta: MetaGroupFields, flow?: FlowControl): IncomingInstanceWriter {
    this.applier.warm();
    const tempPath = join(this.incomingDir, `${this.tempPrefix}-${++this.tempCount}.part`);
    return new IncomingInstanceWriter(tempPath, buildP10Header(meta), flow, INLINE_LIMIT);
  }

  /**
   * Makes a fully received instance durable (or counts it as a duplicate). Resolves once it is:
   * the caller may answer success. Throws StoreWriteError (0xA700) or UnreadableInstanceError (0xC000).
   */
  async commit(writer: IncomingInstanceWriter, meta: MetaGroupFields, context: ReceiveContext): Promise<StoredInstance> {
    const written = await writer.finished();
    // Space may have returned since the last probe: look now rather than refuse a sender for up to
    // a probe interval after the disk has room again.
    if (this.unwritable !== undefined) await this.probeSpace();
    if (this.unwritable !== undefined) {
      await discard(written);
      throw new StoreWriteError(
        this.root,
        { code: 'ENOSPC', message: this.unwritable } as NodeJS.ErrnoException,
        'read-only until space returns',
      );
    }
    let fields: IndexFields;
    try {
      fields = await this.readFields(written, meta.transferSyntaxUid);
    } catch (err) {
      await discard(written);
      throw new UnreadableInstanceError(`dataset of ${meta.sopInstanceUid} cannot be read: ${(err as Error).message}`);
    }
    return this.withUidLock(meta.sopInstanceUid, () => this.journalInstance(written, meta, fields, context));
  }

  /** Files, indexes and routes everything acknowledged so far, then closes the journal. */
  async close(): Promise<void> {
    if (this.spaceProbe) clearInterval(this.spaceProbe);
    await this.applier.stop();
    await this.journal.close();
  }

  /** Resolves once everything journaled so far is indexed (or filing has failed for now: disk full). */
  indexed(): Promise<void> {
    this.applier.hurry();
    return this.applier.whenApplied(this.lastLsn);
  }

  /** Why the store refuses instances right now (disk full), or undefined when it accepts them. */
  get readOnlyReason(): string | undefined {
    return this.unwritable;
  }

  private async readFields(written: WrittenInstance, transferSyntaxUid: string): Promise<IndexFields> {
    const extra = this.extraTags();
    const label = `${written.tempPath} (dataset)`;
    try {
      return readIndexFieldsFromDataset(written.datasetHead, transferSyntaxUid, written.headIsWholeDataset, label, extra);
    } catch (err) {
      if (!(err instanceof IndexFieldsNeedMoreData)) throw err;
      if (written.inline) return readIndexFieldsFromDataset(Buffer.concat(written.inline.slice(1)), transferSyntaxUid, true, label, extra);
      return readIndexFieldsFromFile(written.tempPath, written.headerLength, transferSyntaxUid, extra);
    }
  }

  private async journalInstance(
    written: WrittenInstance,
    meta: MetaGroupFields,
    fields: IndexFields,
    context: ReceiveContext,
  ): Promise<StoredInstance> {
    const versions = this.knownVersions(meta.sopInstanceUid);
    const same = versions.find(
      (v) =>
        v.datasetSha256 === written.datasetSha256 && v.transferSyntaxUid === meta.transferSyntaxUid && v.sopClassUid === meta.sopClassUid,
    );
    if (same) {
      await discard(written);
      const lsn = await this.append({ kind: 'duplicate', id: same.id, sopInstanceUid: meta.sopInstanceUid }, []);
      return {
        kind: 'duplicate',
        instanceId: same.id,
        path: same.path,
        version: same.version,
        fields,
        written,
        indexed: this.applier.whenApplied(lsn),
      };
    }
    const { version, path } = this.freeVersion(meta.sopInstanceUid, fields, Math.max(0, ...versions.map((v) => v.version)) + 1);
    const entry: StoredEntry = {
      kind: 'stored',
      id: this.nextId++,
      version,
      path,
      meta,
      context,
      fields,
      headerLength: written.headerLength,
      datasetLength: written.datasetLength,
      datasetSha256: written.datasetSha256,
      receivedAt: new Date().toISOString(),
      tempName: written.inline ? null : basename(written.tempPath),
    };
    this.remember(entry);
    let lsn: number;
    try {
      // A record naming a spilled file needs the file's name to survive a power loss too.
      if (!written.inline)
        await fsyncDir(this.incomingDir).catch((err: NodeJS.ErrnoException) => Promise.reject(new StoreWriteError(this.incomingDir, err)));
      // The dataset's digest, computed while it arrived, checks the body at replay: no second pass over it now.
      const digest = written.inline ? { after: written.headerLength, sha256: Buffer.from(written.datasetSha256, 'hex') } : undefined;
      lsn = await this.append(entry, written.inline ?? [], digest);
    } catch (err) {
      this.forget(entry);
      await discard(written);
      throw err;
    }
    return { kind: 'stored', instanceId: entry.id, path, version, fields, written, indexed: this.applier.whenApplied(lsn) };
  }

  /** Appends a record and hands it to the applier; throws StoreWriteError when it is not durable. */
  private async append(entry: JournalEntry, body: Buffer[], digest?: BodyDigest): Promise<number> {
    let lsn: number | undefined;
    try {
      const location = await this.journal.append(entry, body, (assigned) => (lsn = this.lastLsn = assigned), digest);
      this.applier.settle(lsn!, { lsn: lsn!, entry, body: location, replayed: false });
      return lsn!;
    } catch (err) {
      if (lsn !== undefined) this.applier.settle(lsn, null);
      const e = err as NodeJS.ErrnoException;
      if (err instanceof JournalFullError) throw new StoreWriteError(this.journalDir, e, 'journal full');
      throw new StoreWriteError(this.journalDir, e);
    }
  }

  private get journalDir(): string {
    return join(this.root, JOURNAL_DIR);
  }

  private knownVersions(sopInstanceUid: string): KnownVersion[] {
    return [...this.repo.versionsOf(sopInstanceUid), ...(this.journaledVersions.get(sopInstanceUid) ?? [])];
  }

  private remember(entry: JournalEntry): void {
    if (entry.kind !== 'stored') return;
    const uid = entry.meta.sopInstanceUid;
    const known: KnownVersion = {
      id: entry.id,
      version: entry.version,
      sopClassUid: entry.meta.sopClassUid,
      transferSyntaxUid: entry.meta.transferSyntaxUid,
      datasetSha256: entry.datasetSha256,
      path: entry.path,
    };
    this.journaledVersions.set(uid, [...(this.journaledVersions.get(uid) ?? []), known]);
    this.reservedPaths.add(entry.path);
  }

  private forget(entry: StoredEntry): void {
    const uid = entry.meta.sopInstanceUid;
    const rest = (this.journaledVersions.get(uid) ?? []).filter((v) => v.id !== entry.id);
    if (rest.length > 0) this.journaledVersions.set(uid, rest);
    else this.journaledVersions.delete(uid);
    this.reservedPaths.delete(entry.path);
  }

  private applied(records: DurableRecord[], onBatchIndexed: ((ids: number[]) => void) | undefined): void {
    for (const { entry } of records) if (entry.kind === 'stored') this.forget(entry);
    onBatchIndexed?.(records.map((r) => r.entry.id));
  }

  private writableChanged(writable: boolean, reason: string): void {
    if (writable === (this.unwritable === undefined)) return;
    this.unwritable = writable ? undefined : reason;
    this.onReadOnlyChange?.(this.unwritable);
    if (writable) {
      this.logger.info('store.writable', { storage: this.root, reason });
      if (this.spaceProbe) clearInterval(this.spaceProbe);
      this.spaceProbe = undefined;
      void this.journal.prepareSpare();
      return;
    }
    this.logger.error('store.read-only', { storage: this.root, reason });
    // Notices returning space sooner than the applier's retries would, and when no records wait.
    this.spaceProbe ??= setInterval(() => void this.probeSpace(), SPACE_PROBE_MS);
    this.spaceProbe.unref();
  }

  private async probeSpace(): Promise<void> {
    if (!(await this.hasRoom())) return;
    // Records that could not be filed for want of space are filed now; that makes the store writable.
    if (this.applier.pendingCount() > 0) await this.applier.retryNow();
    else this.writableChanged(true, 'space returned');
  }

  /** Room for a journal segment and the instances it will hold once filed. */
  private async hasRoom(): Promise<boolean> {
    const fs = await statfs(this.root).catch(() => undefined);
    return fs === undefined || fs.bavail * fs.bsize >= MIN_FREE_BYTES;
  }

  /**
   * The next version whose path is free on disk and not promised to a journaled version. The look
   * on disk is synchronous on purpose: it is on the acknowledgement's path, a lookup of a cached
   * folder entry takes microseconds, and a trip through the I/O thread pool costs more than that.
   */
  private freeVersion(sopInstanceUid: string, fields: IndexFields, first: number) {
    for (let version = first; ; version++) {
      const path = instancePath({ ...fields, sopInstanceUid }, version);
      if (!this.reservedPaths.has(path) && !existsSync(join(this.root, path))) return { version, path };
    }
  }

  /**
   * Temp files no journal record names are remains of interrupted transfers: removed. A file an
   * index row names whose rename did not happen (stores written before the journal) is finished.
   */
  private async removeStrayTempFiles(needed: Set<string>): Promise<void> {
    for (const name of await readdir(this.incomingDir)) {
      if (needed.has(name)) continue;
      const temp = join(this.incomingDir, name);
      const row = this.repo.instanceByIncomingName(name);
      if (row && !existsSync(join(this.root, row.path))) {
        const absolute = join(this.root, row.path);
        await mkdir(dirname(absolute), { recursive: true });
        await rename(temp, absolute);
        await fsyncDir(dirname(absolute));
      } else {
        await unlink(temp);
      }
    }
    await fsyncDir(this.incomingDir);
  }

  private async withUidLock<T>(uid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.uidLocks.get(uid) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.uidLocks.set(uid, next);
    try {
      return await next;
    } finally {
      if (this.uidLocks.get(uid) === next) this.uidLocks.delete(uid);
    }
  }
}

/** Drops what a writer kept of an instance that will not be stored (its temp file, if spilled). */
async function discard(written: WrittenInstance): Promise<void> {
  if (!written.inline) await unlink(written.tempPath).catch(() => undefined);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
