/**
 * Streams one arriving instance into a temp file: the gateway's P10 header first, then the
 * dataset bytes exactly as the P-DATA fragments carried them. Fragments are hashed as they arrive
 * and written in batches (one writev per batch, not one write per 16 KiB PDV). When the disk falls
 * behind, the socket is paused, so a large instance never piles up in memory.
 *
 * dcmjs-dimse treats this object as its "store writable stream": it only calls write() and end().
 * write() always returns true because flow control is done here, on the socket, rather than by the
 * library (which waits for 'drain' only on the first PDV of a dataset).
 */
import { createHash, type Hash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { open, unlink, type FileHandle } from 'node:fs/promises';

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface WrittenInstance {
  tempPath: string;
  headerLength: number;
  datasetLength: number;
  datasetSha256: string;
  /** The first bytes of the dataset (up to HEAD_BYTES), enough to read the index fields from memory. */
  datasetHead: Buffer;
  headIsWholeDataset: boolean;
}

/** A write to the store failed (disk full, I/O error); answered with 0xA700. */
export class StoreWriteError extends Error {
  readonly code: string | undefined;
  constructor(path: string, cause: NodeJS.ErrnoException) {
    super(`cannot write ${path}: ${cause.code ?? cause.message}`);
    this.name = 'StoreWriteError';
    this.code = cause.code;
  }
}

// Small enough that writing overlaps receiving; large enough that one writev carries many PDVs.
const BATCH_BYTES = 256 * 1024;
const PAUSE_ABOVE_BYTES = 2 * 1024 * 1024;
const RESUME_BELOW_BYTES = 512 * 1024;
export const HEAD_BYTES = 64 * 1024;

export class IncomingInstanceWriter extends EventEmitter {
  readonly tempPath: string;
  private readonly headerLength: number;
  private readonly flow: FlowControl | undefined;
  private readonly hash: Hash = createHash('sha256');
  private readonly file: Promise<FileHandle>;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private datasetLength = 0;
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private paused = false;
  private writing = false;
  private ended = false;
  private completing = false;
  private failure: StoreWriteError | undefined;
  private readonly done: Promise<WrittenInstance>;
  private settle!: { resolve: (w: WrittenInstance) => void; reject: (e: Error) => void };

  constructor(tempPath: string, header: Buffer, flow?: FlowControl) {
    super();
    this.tempPath = tempPath;
    this.headerLength = header.length;
    this.flow = flow;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Callers await finished(); this keeps an early failure from being an unhandled rejection.
    this.done.catch(() => undefined);
    this.file = open(tempPath, 'wx');
    this.file.catch((err: NodeJS.ErrnoException) => this.fail(err));
    this.enqueue(header);
  }

  write(chunk: Buffer): boolean {
    if (this.failure || this.ended) return true;
    this.hash.update(chunk);
    this.datasetLength += chunk.length;
    if (this.headLength < HEAD_BYTES) {
      this.head.push(chunk);
      this.headLength += chunk.length;
    }
    this.enqueue(chunk);
    return true;
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  /**
   * The transfer ended before its last fragment (association aborted, connection lost): the
   * descriptor is closed and the temp file removed now, not at the next start.
   */
  abort(): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    this.fail(Object.assign(new Error('transfer interrupted before its last fragment'), { code: 'EINTERRUPTED' }));
  }

  /** Resolves once every byte is written and fsynced; rejects with StoreWriteError (temp file removed). */
  finished(): Promise<WrittenInstance> {
    return this.done;
  }

  private enqueue(chunk: Buffer): void {
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.flow && this.queuedBytes + this.inFlightBytes > PAUSE_ABOVE_BYTES) {
      this.paused = true;
      this.flow.pause();
    }
    if (this.queuedBytes >= BATCH_BYTES) this.pump();
  }

  private pump(): void {
    if (this.writing || this.failure) return;
    if (this.queue.length === 0) {
      if (this.ended && !this.completing) {
        this.completing = true;
        void this.complete();
      }
      return;
    }
    if (this.queuedBytes < BATCH_BYTES && !this.ended) return;
    const batch = this.queue;
    this.inFlightBytes = this.queuedBytes;
    this.queue = [];
    this.queuedBytes = 0;
    this.writing = true;
    this.writeBatch(batch).then(
      () => {
        this.writing = false;
        this.inFlightBytes = 0;
        this.maybeResume();
        this.pump();
      },
      (err: NodeJS.ErrnoException) => this.fail(err),
    );
  }

  private async writeBatch(batch: Buffer[]): Promise<void> {
    const file = await this.file;
    let pending = batch;
    // writev may write less than asked (e.g. just before the disk fills); write the rest or fail.
    for (;;) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const { bytesWritten } = await file.writev(pending);
      if (bytesWritten >= total) return;
      pending = [Buffer.concat(pending).subarray(bytesWritten)];
    }
  }

  private maybeResume(): void {
    if (this.paused && this.queuedBytes + this.inFlightBytes < RESUME_BELOW_BYTES) {
      this.paused = false;
      this.flow?.resume();
    }
  }

  private async complete(): Promise<void> {
    try {
      const file = await this.file;
      await file.sync();
      await file.close();
      const datasetHead = Buffer.concat(this.head);
      this.settle.resolve({
        tempPath: this.tempPath,
        headerLength: this.headerLength,
        datasetLength: this.datasetLength,
        datasetSha256: this.hash.digest('hex'),
        datasetHead,
        headIsWholeDataset: datasetHead.length === this.datasetLength,
      });
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
    }
  }

  /** After a failure the rest of the instance is read and dropped, so the association stays usable. */
  private fail(err: NodeJS.ErrnoException): void {
    if (this.failure) return;
    this.failure = new StoreWriteError(this.tempPath, err);
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlightBytes = 0;
    this.maybeResume();
    void this.discard().then(() => this.settle.reject(this.failure!));
  }

  private async discard(): Promise<void> {
    const file = await this.file.catch(() => undefined);
    // Only a file this writer created is removed; a failed open must not touch someone else's.
    if (!file) return;
    await file.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}
