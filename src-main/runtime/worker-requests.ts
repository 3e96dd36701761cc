/**
 * Requests answered by one long-lived worker thread, started on demand and ended when idle: what
 * the filing thread and the preview thread share. Each request gets an id; the worker answers with
 * a reply carrying it. The thread ends `idleMs` after the last request once none waits, so an idle
 * engine carries no second heap; if it dies, the requests it held fail with that reason and the
 * next request starts another.
 */
import type { Worker } from 'node:worker_threads';

export interface WorkerRequestsOptions<Reply extends { id: number }, Result> {
  /** Starts the thread (its URL, data and limits are the caller's). */
  start: () => Worker;
  /** What a request resolves to, or the error it rejects with. */
  outcome: (reply: Reply) => Result | Error;
  /** Named in the error of requests a thread held when it exited: "the filing thread". */
  name: string;
  idleMs: number;
  /**
   * Whether a waiting request keeps the process alive (a command that files and exits must wait
   * for it); otherwise the thread never does.
   */
  holdWhileWaiting: boolean;
}

interface Waiting<Result> {
  worker: Worker;
  resolve: (result: Result) => void;
  reject: (err: Error) => void;
}

export class WorkerRequests<Reply extends { id: number }, Result> {
  private readonly o: WorkerRequestsOptions<Reply, Result>;
  private worker: Worker | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting<Result>>();

  constructor(options: WorkerRequestsOptions<Reply, Result>) {
    this.o = options;
  }

  /** Whether the thread is up now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Work is coming: start the thread now, unless it runs. */
  warm(): void {
    this.started();
  }

  /** Posts `message` with a new id; settles with the reply's outcome, or rejects if the thread dies first. */
  request(message: object): Promise<Result> {
    const worker = this.started();
    const id = this.nextId++;
    if (this.o.holdWhileWaiting && this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  /** Ends the thread now; a request it still holds fails. */
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
    const worker = this.o.start();
    worker.unref(); // idle: never what keeps the process alive
    worker.on('message', (reply: Reply) => this.replied(worker, reply));
    worker.on('error', (err) => this.failAll(worker, err));
    worker.on('exit', (code) => this.failAll(worker, new Error(`${this.o.name} exited (code ${code})`)));
    return worker;
  }

  private replied(worker: Worker, reply: Reply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) {
      if (this.o.holdWhileWaiting) worker.unref();
      this.endWhenIdle();
    }
    const outcome = this.o.outcome(reply);
    if (outcome instanceof Error) waiter.reject(outcome);
    else waiter.resolve(outcome);
  }

  /** Ends the thread idleMs after the last work, unless a request still waits then. */
  private endWhenIdle(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.waiting.size === 0) void this.stop();
      else this.endWhenIdle();
    }, this.o.idleMs);
    this.idleTimer.unref();
  }

  /** A thread is gone: what it held fails; the next request starts another. */
  private failAll(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, w] of this.waiting) {
      if (w.worker !== worker) continue;
      this.waiting.delete(id);
      w.reject(err);
    }
  }
}
