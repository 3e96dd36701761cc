/**
 * The main thread's side of the filing thread (filing-worker.ts): hands it batches and resolves
 * each once the thread says its files are durable. The thread starts when an instance starts to
 * arrive (warm()), so it is loaded (about 80 ms) by the time the first batch is ready, and ends
 * after a minute without work: an idle gateway does not carry a second JavaScript heap. If the
 * thread dies, the batches it held fail (the applier retries them from the journal) and the next
 * batch starts a new one (runtime/worker-requests.ts).
 */
import { Worker } from 'node:worker_threads';
import { WorkerRequests } from '../runtime/worker-requests.ts';
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

export class FilingThread {
  private readonly requests: WorkerRequests<FilingReply, void>;

  /** `idleMs`: how long the thread outlives its last work (a test shortens it). */
  constructor(root: string, idleMs = IDLE_MS) {
    this.requests = new WorkerRequests<FilingReply, void>({
      // A small young generation: the thread allocates little (its read buffer is reused).
      start: () => new Worker(WORKER_URL, { workerData: { root }, resourceLimits: { maxYoungGenerationSizeMb: 2 } }),
      outcome: ({ error }) => (error ? Object.assign(new Error(error.message), { code: error.code }) : undefined),
      name: 'the filing thread',
      idleMs,
      // A command that files and exits must wait for its batches.
      holdWhileWaiting: true,
    });
  }

  /** Whether the thread is up now (it ends after idleMs without work). */
  get running(): boolean {
    return this.requests.running;
  }

  /** Work is coming: start the thread now, unless it runs. */
  warm(): void {
    this.requests.warm();
  }

  /** Resolves once every job's file and folder is durable; rejects with the error that stopped the batch. */
  file(jobs: FilingJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    return this.requests.request({ jobs } satisfies Omit<FilingRequest, 'id'>);
  }

  /** Ends the thread now; a batch it still holds fails (the applier calls this once none does). */
  stop(): Promise<void> {
    return this.requests.stop();
  }
}
