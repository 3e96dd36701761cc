/**
 * The durable instance store. Protocol for one instance (DESIGN.md, "Durability"):
 *   1. bytes stream into .incoming/<random>.part, which is fsynced and closed;
 *   2. the index row is committed, naming that temp file;
 *   3. the temp file is renamed into studies/..., and the folder fsynced;
 *   4. only then may the caller answer success.
 * A crash before 2 leaves a temp file that start-up deletes (no trace); a crash between 2 and 3
 * leaves a committed row whose temp file start-up renames into place (a complete file). So an
 * acknowledged instance is always complete and indexed.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { transaction } from '../db/database.ts';
import type { IndexRepository } from '../db/index-repository.ts';
import {
  IndexFieldsNeedMoreData,
  readIndexFieldsFromDataset,
  readIndexFieldsFromFile,
  type IndexFields,
} from '../dicom/index-fields.ts';
import { buildP10Header, type MetaGroupFields } from '../dicom/p10-writer.ts';
import { fsyncDir } from './fsync-dir.ts';
import { IncomingInstanceWriter, StoreWriteError, type FlowControl, type WrittenInstance } from './incoming-instance-writer.ts';
import { INCOMING_DIR, STUDIES_DIR, instancePath } from './store-layout.ts';

export interface ReceiveContext {
  associationId: number | null;
  callingAe: string | null;
  calledAe: string | null;
  /** "address:port" of the sender. */
  peer: string | null;
}

/** Called inside the transaction that indexes a new instance version (not for duplicates). */
export type IndexedHook = (instanceId: number, meta: MetaGroupFields, fields: IndexFields, context: ReceiveContext) => void;

export interface StoredInstance {
  kind: 'stored' | 'duplicate';
  instanceId: number;
  /** Relative to the store root. */
  path: string;
  version: number;
  fields: IndexFields;
  written: WrittenInstance;
}

/** The dataset could not be read; answered with 0xC000 and nothing kept. */
export class UnreadableInstanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableInstanceError';
  }
}

export class InstanceStore {
  readonly root: string;
  private readonly repo: IndexRepository;
  private readonly incomingDir: string;
  private readonly knownDirs = new Set<string>();
  private readonly uidLocks = new Map<string, Promise<unknown>>();
  /** Indexed instances whose file is not at its path yet (committed, rename pending). */
  private readonly placing = new Map<number, Promise<void>>();
  /** Routing hooks in here, so an instance is never indexed without the jobs its rules call for. */
  onIndexed: IndexedHook | undefined;
  /** Elements to read at store time beyond the built-in index fields (what the rules look at). */
  extraTags: () => readonly number[] = () => [];

  private constructor(root: string, repo: IndexRepository) {
    this.root = root;
    this.repo = repo;
    this.incomingDir = join(root, INCOMING_DIR);
  }

  static async open(root: string, repo: IndexRepository): Promise<InstanceStore> {
    const store = new InstanceStore(root, repo);
    await mkdir(join(root, STUDIES_DIR), { recursive: true });
    await mkdir(store.incomingDir, { recursive: true });
    await store.recoverIncoming();
    return store;
  }

  /**
   * Resolves once the instance's file can be read at its indexed path. Its jobs are committed with
   * its row, before the rename (see the protocol above), so whoever reads the file for them waits here.
   */
  whenPlaced(instanceId: number): Promise<void> {
    return this.placing.get(instanceId) ?? Promise.resolve();
  }

  /** Starts receiving an instance; the caller has validated the UIDs in `meta`. */
  beginIncoming(meta: MetaGroupFields, flow?: FlowControl): IncomingInstanceWriter {
    const tempPath = join(this.incomingDir, `${randomBytes(12).toString('hex')}.part`);
    return new IncomingInstanceWriter(tempPath, buildP10Header(meta), flow);
  }

  /** Makes a fully received instance durable and indexed (or counts it as a duplicate). */
  async commit(writer: IncomingInstanceWriter, meta: MetaGroupFields, context: ReceiveContext): Promise<StoredInstance> {
    const written = await writer.finished();
    let fields: IndexFields;
    try {
      fields = await this.readFields(written, meta.transferSyntaxUid);
    } catch (err) {
      await unlink(written.tempPath).catch(() => undefined);
      throw new UnreadableInstanceError(`dataset of ${meta.sopInstanceUid} cannot be read: ${(err as Error).message}`);
    }
    return this.withUidLock(meta.sopInstanceUid, () => this.place(written, meta, fields, context));
  }

  private async readFields(written: WrittenInstance, transferSyntaxUid: string): Promise<IndexFields> {
    const extra = this.extraTags();
    try {
      return readIndexFieldsFromDataset(written.datasetHead, transferSyntaxUid, written.headIsWholeDataset, written.tempPath, extra);
    } catch (err) {
      if (!(err instanceof IndexFieldsNeedMoreData)) throw err;
      return readIndexFieldsFromFile(written.tempPath, written.headerLength, transferSyntaxUid, extra);
    }
  }

  private async place(written: WrittenInstance, meta: MetaGroupFields, fields: IndexFields, context: ReceiveContext): Promise<StoredInstance> {
    const versions = this.repo.versionsOf(meta.sopInstanceUid);
    const same = versions.find(
      (v) =>
        v.datasetSha256 === written.datasetSha256 &&
        v.transferSyntaxUid === meta.transferSyntaxUid &&
        v.sopClassUid === meta.sopClassUid,
    );
    if (same) {
      this.repo.countDuplicate(same.id);
      await unlink(written.tempPath);
      return { kind: 'duplicate', instanceId: same.id, path: same.path, version: same.version, fields, written };
    }
    const { version, path } = await this.freeVersion(meta.sopInstanceUid, fields, versions.length + 1);
    const absolute = join(this.root, path);
    try {
      await this.ensureDir(dirname(absolute));
    } catch (err) {
      await unlink(written.tempPath).catch(() => undefined);
      throw new StoreWriteError(dirname(absolute), err as NodeJS.ErrnoException);
    }
    const instanceId = transaction(this.repo.database, () => {
      const id = this.insertRow(written, meta, fields, context, version, path);
      this.onIndexed?.(id, meta, fields, context);
      return id;
    });
    // Registered in the same synchronous run as the commit: nothing can read the new jobs before it.
    const renamed = rename(written.tempPath, absolute);
    const placed = renamed.catch(() => undefined).finally(() => this.placing.delete(instanceId));
    this.placing.set(instanceId, placed);
    await renamed;
    await fsyncDir(dirname(absolute));
    return { kind: 'stored', instanceId, path, version, fields, written };
  }

  private insertRow(written: WrittenInstance, meta: MetaGroupFields, fields: IndexFields, context: ReceiveContext, version: number, path: string): number {
    return this.repo.insertInstance({
      sopInstanceUid: meta.sopInstanceUid,
      version,
      sopClassUid: meta.sopClassUid,
      transferSyntaxUid: meta.transferSyntaxUid,
      fields,
      path,
      size: written.headerLength + written.datasetLength,
      datasetOffset: written.headerLength,
      datasetLength: written.datasetLength,
      datasetSha256: written.datasetSha256,
      receivedAt: new Date().toISOString(),
      associationId: context.associationId,
      callingAe: context.callingAe,
      incomingName: incomingName(written.tempPath),
    });
  }

  /** The next version whose file does not exist yet: a stored file is never overwritten. */
  private async freeVersion(sopInstanceUid: string, fields: IndexFields, first: number) {
    for (let version = first; ; version++) {
      const path = instancePath({ ...fields, sopInstanceUid }, version);
      if (!(await exists(join(this.root, path)))) return { version, path };
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    const created = await mkdir(dir, { recursive: true });
    if (created) {
      // New folders are entries in their parents: fsync up the chain so the path itself survives a crash.
      for (let d = dir; d.length >= this.root.length && d !== dirname(d); d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === created) break;
      }
    }
    this.knownDirs.add(dir);
  }

  /** Finishes renames a crash interrupted after the index commit, and deletes every other temp file. */
  private async recoverIncoming(): Promise<void> {
    for (const name of await readdir(this.incomingDir)) {
      const temp = join(this.incomingDir, name);
      const row = this.repo.instanceByIncomingName(name);
      if (row && !(await exists(join(this.root, row.path)))) {
        const absolute = join(this.root, row.path);
        await this.ensureDir(dirname(absolute));
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

function incomingName(tempPath: string): string {
  return tempPath.slice(tempPath.lastIndexOf('/') + 1);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
