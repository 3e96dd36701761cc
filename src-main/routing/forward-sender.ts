/**
 * Where forward jobs are sent from: a worker thread (the default: receiving and forwarding each
 * get a core) or the calling thread (tests, and a fallback). Both run the same association pools;
 * the queue sees only jobs going out and results coming back.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.ts';
import { AssociationPools } from './association-pool.ts';
import type { Clock } from './clock.ts';
import type { ForwardTarget, FromWorker, JobResult, SendJob, ToWorker } from './forward-messages.ts';
import { notSent } from './store-over-association.ts';

export interface ForwardSender {
  send(target: ForwardTarget, jobs: SendJob[]): void;
  /** Finishes the job in flight on each association; every other job comes back as not sent ('cancelled'). */
  stop(): Promise<void>;
}

export type SenderFactory = (onResults: (results: JobResult[]) => void) => ForwardSender;

export function inThreadSender(clock: Clock): SenderFactory {
  return (onResults) => {
    const pools = new AssociationPools(clock, { result: (r) => onResults([r]), association: () => undefined });
    return { send: (target, jobs) => pools.send(target, jobs), stop: () => pools.stop() };
  };
}

export function workerSender(logger: Logger): SenderFactory {
  return (onResults) => new WorkerSender(onResults, logger);
}

/** After a forward thread died, the next one starts no sooner than this (no busy loop if it cannot start). */
const RESTART_DELAY_MS = 1000;

/** The worker's entry next to this file: .ts when running from source, .js once compiled. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './forward-worker.ts' : './forward-worker.js', import.meta.url);

/**
 * The main thread's side of the forward worker. It remembers which jobs the worker holds, so that
 * if the worker dies they are reported not sent (and queued again), never lost; the next job
 * starts a new worker.
 */
export class WorkerSender implements ForwardSender {
  private readonly onResults: (results: JobResult[]) => void;
  private readonly logger: Logger;
  private readonly url: URL;
  private worker: Worker | undefined;
  private readonly held = new Map<number, SendJob>();
  /** Messages waiting for a new thread while the restart delay runs. */
  private waiting: ToWorker[] | undefined;
  private stopped: Promise<void> | undefined;

  constructor(onResults: (results: JobResult[]) => void, logger: Logger, url: URL = WORKER_URL) {
    this.onResults = onResults;
    this.logger = logger;
    this.url = url;
  }

  send(target: ForwardTarget, jobs: SendJob[]): void {
    for (const job of jobs) this.held.set(job.jobId, job);
    this.post({ type: 'send', target, jobs });
  }

  stop(): Promise<void> {
    this.stopped ??= this.stopWorker();
    return this.stopped;
  }

  private async stopWorker(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) this.reportNotSent(waiting, 'not sent: the gateway is stopping');
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    });
  }

  private post(message: ToWorker): void {
    if (this.waiting) this.waiting.push(message);
    else (this.worker ??= this.start()).postMessage(message);
  }

  private restartLater(): void {
    if (this.waiting) return;
    this.waiting = [];
    setTimeout(() => {
      const messages = this.waiting ?? [];
      this.waiting = undefined;
      if (this.stopped) return this.reportNotSent(messages, 'not sent: the gateway is stopping');
      for (const message of messages) this.post(message);
    }, RESTART_DELAY_MS).unref();
  }

  private reportNotSent(messages: ToWorker[], reason: string): void {
    const jobs = messages.flatMap((m) => (m.type === 'send' ? m.jobs : []));
    for (const job of jobs) this.held.delete(job.jobId);
    if (jobs.length > 0) this.onResults(jobs.map((job) => notSent(job, reason, 'cancelled')));
  }

  private start(): Worker {
    const worker = new Worker(this.url);
    worker.on('message', (message: FromWorker) => this.received(message));
    worker.on('error', (err) => this.logger.error('queue.worker-error', { error: err.stack ?? err.message }));
    worker.on('exit', (code) => this.exited(worker, code));
    return worker;
  }

  private received(message: FromWorker): void {
    if (message.type === 'results') {
      for (const result of message.results) this.held.delete(result.jobId);
      this.onResults(message.results);
    } else if (message.type === 'association') {
      this.logger.debug(`queue.association-${message.event}`, { destination: message.destination });
    }
  }

  /** Whatever the worker still held was not sent: it goes back to the queue. */
  private exited(worker: Worker, code: number): void {
    if (this.worker === worker) this.worker = undefined;
    const lost = [...this.held.values()];
    this.held.clear();
    if (lost.length === 0 && (code === 0 || this.stopped)) return;
    this.logger.error('queue.worker-exit', { code, jobs: lost.length, detail: 'jobs the forward thread held are queued again' });
    if (!this.stopped) this.restartLater();
    if (lost.length > 0) this.onResults(lost.map((job) => notSent(job, `not sent: the forward thread exited (code ${code})`, 'cancelled')));
  }
}
