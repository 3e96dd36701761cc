/**
 * The main thread's side of the filing thread (filing-worker.ts): hands it batches and resolves
 * each once the thread says its files are durable. The thread starts when an instance starts to
 * arrive (warm()), so it is loaded (about 80 ms) by the time the first batch is ready, and ends
 * after a minute without work: an idle gateway does not carry a second JavaScript heap. If the
 * thread dies, the batches it held fail (the applier retries them from the journal) and the next
 * batch starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { FilingJob } from './instance-filing.ts';

export interface FilingRequest {
  id: number;
  jobs: FilingJob[];
}

export interface FilingReply {
  id: number;
  /** Why the batch was not filed; `code` is the system error's (ENOSPC, EACCES...). */
  error?: { message: string; code?: string };
}

/** The worker's entry next to this file: .ts when running from source, .js once compiled. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './filing-worker.ts' : './filing-worker.js', import.meta.url);
const IDLE_MS = 60_000;

interface Waiting {
  worker: Worker;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class FilingThread {
  private readonly root: string;
  private readonly idleMs: number;
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  /** `idleMs`: how long the thread outlives its last work (a test shortens it). */
  constructor(root: string, idleMs = IDLE_MS) {
    this.root = root;
    this.idleMs = idleMs;
  }

  /** Whether the thread is up now (it ends after idleMs without work). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Work is coming: start the thread now, unless it runs. */
  warm(): void {
    this.started();
  }

  /** Resolves once every job's file and folder is durable; rejects with the error that stopped the batch. */
  file(jobs: FilingJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    const worker = this.started();
    const id = this.nextId++;
    // Held while it has work (a command that files and exits must wait for it), let go when idle.
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      worker.postMessage({ id, jobs } satisfies FilingRequest);
    });
  }

  /** Ends the thread now; a batch it still holds fails (the applier calls this once none does). */
  async stop(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  /** The thread, started if it is not running; work postpones its idle end. */
  private started(): Worker {
    const worker = (this.worker ??= this.start());
    this.endWhenIdle();
    return worker;
  }

  private start(): Worker {
    // A small young generation: the thread allocates little (its read buffer is reused).
    const worker = new Worker(WORKER_URL, { workerData: { root: this.root }, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    worker.unref(); // idle: held only while a batch waits (file())
    worker.on('message', (reply: FilingReply) => this.replied(reply));
    worker.on('error', (err) => this.failAll(worker, err));
    worker.on('exit', (code) => this.failAll(worker, new Error(`the filing thread exited (code ${code})`)));
    return worker;
  }

  private replied({ id, error }: FilingReply): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) {
      waiter.worker.unref();
      this.endWhenIdle();
    }
    if (!error) return waiter.resolve();
    waiter.reject(Object.assign(new Error(error.message), { code: error.code }));
  }

  /** Ends the thread idleMs after the last work, unless a batch still waits then. */
  private endWhenIdle(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.waiting.size === 0) void this.stop();
      else this.endWhenIdle();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /** A thread is gone: what it held fails (and is retried by the applier); the next batch starts another. */
  private failAll(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, w] of this.waiting) {
      if (w.worker !== worker) continue;
      this.waiting.delete(id);
      w.reject(err);
    }
  }
}
