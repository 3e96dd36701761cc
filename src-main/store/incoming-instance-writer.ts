/**
 * Takes in one arriving instance: the gateway's P10 header first, then the dataset bytes exactly
 * as the P-DATA fragments carried them, hashed as they arrive.
 *
 * Up to `inlineLimit` bytes stay in memory: a small instance goes into the receive journal whole
 * (one synchronized positional write, see journal.ts). Beyond that the writer spills to a temp file
 * and streams the rest there in batches (one writev per batch, not one write per 16 KiB PDV);
 * when the disk falls behind, the socket is paused, so a large instance never piles up in memory.
 * Every 2 MiB an fdatasync starts (never more than one at a time) while the rest still arrives:
 * the fsync before the answer then waits for the last part only, not for a whole 20 MiB.
 *
 * The connection (dicom/scp-connection.ts, through the receive use case) calls write() per PDV
 * value and end() once; flow control is done here, on the socket (FlowControl), so write() never
 * asks the caller to wait.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';

export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface WrittenInstance {
  /** Header + dataset chunks held in memory (the instance stayed within the inline limit), else undefined. */
  inline: Buffer[] | undefined;
  /** The fsynced temp file holding header + dataset, when the instance was spilled to disk. */
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
  constructor(path: string, cause: NodeJS.ErrnoException, detail?: string) {
    super(`cannot write ${path}: ${cause.code ?? cause.message}${detail ? ` (${detail})` : ''}`);
    this.name = 'StoreWriteError';
    this.code = cause.code;
  }
}

// Small enough that writing overlaps receiving; large enough that one writev carries many PDVs.
const BATCH_BYTES = 256 * 1024;
const PAUSE_ABOVE_BYTES = 2 * 1024 * 1024;
const RESUME_BELOW_BYTES = 512 * 1024;
export const HEAD_BYTES = 64 * 1024;
const FLUSH_EVERY_BYTES = 2 * 1024 * 1024;

/** The transfer was interrupted (connection ended mid-dataset); nothing of it is kept. */
export class TransferAbortedError extends Error {
  constructor(path: string) {
    super(`transfer into ${path} was aborted`);
    this.name = 'TransferAbortedError';
  }
}

export class IncomingInstanceWriter {
  readonly tempPath: string;
  private readonly headerLength: number;
  private readonly flow: FlowControl | undefined;
  private readonly hash: Hash = createHash('sha256');
  private readonly inlineLimit: number;
  /** Everything so far while the instance is small enough for the journal; undefined once spilled. */
  private inline: Buffer[] | undefined;
  private inlineBytes = 0;
  private file: Promise<FileHandle> | undefined;
  private aborted = false;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private datasetLength = 0;
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private paused = false;
  private writing = false;
  private currentWrite: Promise<void> | undefined;
  /** Bytes written since the last early flush was started. */
  private unflushed = 0;
  /** An fdatasync started while the instance still arrives, or undefined. */
  private flushing: Promise<void> | undefined;
  private ended = false;
  private completing = false;
  private failure: StoreWriteError | undefined;
  private readonly done: Promise<WrittenInstance>;
  private settle!: { resolve: (w: WrittenInstance) => void; reject: (e: Error) => void };

  /** `inlineLimit` 0 writes every instance to its temp file. */
  constructor(tempPath: string, header: Buffer, flow?: FlowControl, inlineLimit = 0) {
    this.tempPath = tempPath;
    this.headerLength = header.length;
    this.flow = flow;
    this.inlineLimit = inlineLimit;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Callers await finished(); this keeps an early failure from being an unhandled rejection.
    this.done.catch(() => undefined);
    if (header.length <= inlineLimit) {
      this.inline = [header];
      this.inlineBytes = header.length;
    } else {
      this.spill([header]);
    }
  }

  write(chunk: Buffer): boolean {
    if (this.failure || this.ended) return true;
    this.hash.update(chunk);
    this.datasetLength += chunk.length;
    if (this.headLength < HEAD_BYTES) {
      this.head.push(chunk);
      this.headLength += chunk.length;
    }
    if (this.inline && this.inlineBytes + chunk.length <= this.inlineLimit) {
      this.inline.push(chunk);
      this.inlineBytes += chunk.length;
    } else if (this.inline) {
      const held = this.inline;
      this.inline = undefined;
      this.spill([...held, chunk]);
    } else {
      this.enqueue(chunk);
    }
    return true;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.inline) this.completeInline();
    else this.pump();
  }

  /**
   * The transfer will not be completed (the association ended mid-dataset): closes the file and
   * removes anything written, whatever state the writer is in. finished() rejects.
   */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.ended = true;
    this.inline = undefined;
    if (!this.failure) this.failure = new TransferAbortedError(this.tempPath) as unknown as StoreWriteError;
    this.queue = [];
    this.queuedBytes = 0;
    this.maybeResume();
    void this.discard().then(() => this.settle.reject(this.failure!));
  }

  private spill(chunks: Buffer[]): void {
    this.file = open(this.tempPath, 'wx');
    this.file.catch((err: NodeJS.ErrnoException) => this.fail(err));
    for (const chunk of chunks) this.enqueue(chunk);
  }

  private completeInline(): void {
    this.resolveWritten(this.inline);
  }

  /** `inline`: the whole instance when it was kept in memory, undefined when it is in the temp file. */
  private resolveWritten(inline: Buffer[] | undefined): void {
    const datasetHead = Buffer.concat(this.head);
    this.settle.resolve({
      inline,
      tempPath: this.tempPath,
      headerLength: this.headerLength,
      datasetLength: this.datasetLength,
      datasetSha256: this.hash.digest('hex'),
      datasetHead,
      headIsWholeDataset: datasetHead.length === this.datasetLength,
    });
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
    const write = this.writeBatch(batch);
    this.currentWrite = write.catch(() => undefined);
    write.then(
      () => {
        this.writing = false;
        this.unflushed += this.inFlightBytes;
        this.inFlightBytes = 0;
        this.flushEarly();
        this.maybeResume();
        this.pump();
      },
      (err: NodeJS.ErrnoException) => {
        this.writing = false;
        this.fail(err);
      },
    );
  }

  private async writeBatch(batch: Buffer[]): Promise<void> {
    const file = await this.file!;
    let pending = batch;
    // writev may write less than asked (e.g. just before the disk fills); write the rest or fail.
    for (;;) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const { bytesWritten } = await file.writev(pending);
      if (bytesWritten >= total) return;
      pending = [Buffer.concat(pending).subarray(bytesWritten)];
    }
  }

  /**
   * Starts writing the file's pages to the disk while the rest of it still arrives, so the fsync
   * before the answer has only the last of it to wait for, not the whole instance.
   */
  private flushEarly(): void {
    if (this.flushing || this.unflushed < FLUSH_EVERY_BYTES || this.failure) return;
    this.unflushed = 0;
    const flush = this.file!.then((file) => file.datasync());
    this.flushing = flush.then(
      () => (this.flushing = undefined),
      (err: NodeJS.ErrnoException) => {
        this.flushing = undefined;
        this.fail(err);
      },
    );
  }

  private maybeResume(): void {
    if (this.paused && this.queuedBytes + this.inFlightBytes < RESUME_BELOW_BYTES) {
      this.paused = false;
      this.flow?.resume();
    }
  }

  private async complete(): Promise<void> {
    try {
      const file = await this.file!;
      await this.flushing;
      // An early flush that failed has already failed the instance (its file is being removed).
      if (this.failure) return;
      await file.sync();
      await file.close();
      if (this.aborted) return;
      this.resolveWritten(undefined);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
    }
  }

  /** After a failure the rest of the instance is read and dropped, so the association stays usable. */
  private fail(err: NodeJS.ErrnoException): void {
    if (this.failure || this.aborted) return;
    this.failure = new StoreWriteError(this.tempPath, err);
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlightBytes = 0;
    this.maybeResume();
    void this.discard().then(() => this.settle.reject(this.failure!));
  }

  private async discard(): Promise<void> {
    if (!this.file) return;
    // A batch may still be in the kernel: wait for it, so the unlink is the last thing done.
    await this.currentWrite;
    await this.flushing;
    const file = await this.file.catch(() => undefined);
    // Only a file this writer created is removed; a failed open must not touch someone else's.
    if (!file) return;
    await file.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}
