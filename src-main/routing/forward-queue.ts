/**
 * The forward queue's worker: picks due jobs per destination (one study per association, up to
 * the batch size, at most maxAssociations at once), sends them byte for byte, and settles each
 * job from its own C-STORE result: sent, retry later (backoff with jitter), or dead.
 */
import { join } from 'node:path';
import { transaction, type Database } from '../db/database.ts';
import { sendFiles, type SendResult } from '../dicom/store-scu.ts';
import type { GatewayEventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import { backoffMs } from './backoff.ts';
import { classifyFailure } from './failure-policy.ts';
import type { DueJob, JobRepository, JobState } from './job-repository.ts';
import type { RoutingRepository } from './routing-repository.ts';
import type { Destination, QueueSettings } from './routing-types.ts';

export interface ForwardQueueDeps {
  db: Database;
  jobs: JobRepository;
  routing: RoutingRepository;
  storeRoot: string;
  settings: QueueSettings;
  defaultCallingAe: string;
  events: GatewayEventBus;
  logger: Logger;
  now?: () => number;
}

/** The longest the worker sleeps without looking again (a safety net; normal wake-ups are exact). */
const MAX_SLEEP_MS = 30_000;

export class ForwardQueue {
  private readonly d: ForwardQueueDeps;
  private readonly now: () => number;
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private stopping = false;

  constructor(deps: ForwardQueueDeps) {
    this.d = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Jobs a crash left "sending" are queued again (at-least-once delivery), then work starts. */
  start(): void {
    const requeued = this.d.jobs.requeueInterrupted(this.now());
    if (requeued > 0) this.d.logger.warn('queue.requeued-after-restart', { jobs: requeued });
    this.kick();
  }

  /** Something changed (new jobs, a destination edited): look for work soon. */
  kick(): void {
    if (this.stopping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Stops picking jobs; the instance being sent is finished, the rest of its batch goes back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await Promise.all([...this.inFlight]);
  }

  private pump(): void {
    if (this.stopping) return;
    const now = this.now();
    this.promoteQuietStudies(now);
    const destinations = this.d.routing.destinations().filter((d) => d.enabled);
    for (const destination of destinations) {
      while ((this.running.get(destination.name) ?? 0) < destination.maxAssociations) {
        const batch = this.d.jobs.nextBatch(destination.name, now, this.d.settings.batchSize);
        if (batch.length === 0) break;
        this.launch(destination, batch);
      }
    }
    this.sleepUntilNextDue(destinations);
  }

  private sleepUntilNextDue(destinations: Destination[]): void {
    clearTimeout(this.timer);
    const candidates = [
      ...destinations.filter((d) => (this.running.get(d.name) ?? 0) < d.maxAssociations).map((d) => this.d.jobs.nextDueAt(d.name)),
      this.d.jobs.nextQuietAt(),
    ].filter((t): t is number => t !== undefined);
    const wait = candidates.length ? Math.max(0, Math.min(...candidates) - this.now()) : MAX_SLEEP_MS;
    this.timer = setTimeout(() => this.pump(), Math.min(wait, MAX_SLEEP_MS));
    this.timer.unref();
  }

  /** A study that has been quiet long enough is forwarded whole: one job per latest instance version. */
  private promoteQuietStudies(now: number): void {
    for (const quiet of this.d.jobs.dueQuietStudies(now)) {
      const queued = transaction(this.d.db, () => {
        if (!this.d.jobs.finishQuietStudy(quiet)) return 0; // more arrived since: keep waiting
        let n = 0;
        for (const id of this.d.jobs.latestInstancesOfStudy(quiet.study_instance_uid)) {
          if (this.d.jobs.add(id, quiet.destination, quiet.rule, quiet.study_instance_uid, now)) n++;
        }
        return n;
      });
      if (queued > 0) {
        this.d.logger.info('study.quiet', { study: quiet.study_instance_uid, rule: quiet.rule, destination: quiet.destination, jobs: queued });
      }
    }
  }

  private launch(destination: Destination, batch: DueJob[]): void {
    const now = this.now();
    transaction(this.d.db, () => batch.forEach((job) => this.d.jobs.setState(job.id, 'sending', now)));
    for (const job of batch) this.changed(job, 'sending', job.attempts, undefined);
    this.running.set(destination.name, (this.running.get(destination.name) ?? 0) + 1);
    const work = this.send(destination, batch).finally(() => {
      this.running.set(destination.name, (this.running.get(destination.name) ?? 1) - 1);
      this.inFlight.delete(work);
      this.kick();
    });
    this.inFlight.add(work);
  }

  private async send(destination: Destination, batch: DueJob[]): Promise<void> {
    const startedAt = new Date(this.now()).toISOString();
    const files = batch.map((job) => ({
      file: join(this.d.storeRoot, job.path),
      sopClassUid: job.sop_class_uid,
      sopInstanceUid: job.sop_instance_uid,
      transferSyntaxUid: job.transfer_syntax_uid,
      datasetOffset: job.dataset_offset,
      datasetLength: job.dataset_length,
    }));
    this.d.logger.info('queue.batch', { destination: destination.name, jobs: batch.length, study: batch[0]?.study_instance_uid ?? undefined });
    await sendFiles(
      files,
      { aeTitle: destination.aeTitle, host: destination.host, port: destination.port },
      {
        callingAe: destination.callingAe ?? this.d.defaultCallingAe,
        maxPduLength: destination.maxPduLength,
        connectTimeoutMs: destination.connectTimeoutMs,
        idleTimeoutMs: destination.dimseTimeoutMs,
        shouldContinue: () => !this.stopping,
        onResult: (result, index) => this.settle(batch[index]!, result, startedAt),
      },
    );
  }

  private settle(job: DueJob, result: SendResult, startedAt: string): void {
    // One transaction (one fsync) for the job's new state and its attempt record.
    const outcome = transaction(this.d.db, () => this.record(job, result, startedAt));
    this.changed(job, outcome.state, outcome.attempts, outcome.error, outcome.nextAttemptAt);
  }

  private record(job: DueJob, result: SendResult, startedAt: string) {
    const now = this.now();
    const finishedAt = new Date(now).toISOString();
    const attempt = job.attempts + 1;
    const base = { jobId: job.id, attempt, startedAt, finishedAt, status: result.status, error: result.error ?? null, failureKind: result.failureKind ?? null };
    if (result.ok) {
      this.d.jobs.markSent(job.id, result.sha256, result.status, now);
      this.d.jobs.recordAttempt({ ...base, outcome: 'sent', backoffMs: null });
      return { state: 'sent' as const, attempts: attempt, error: undefined, nextAttemptAt: undefined };
    }
    if (result.failureKind === 'cancelled') {
      this.d.jobs.setState(job.id, 'queued', now);
      return { state: 'queued' as const, attempts: job.attempts, error: undefined, nextAttemptAt: undefined };
    }
    const error = result.error ?? result.meaning;
    // The budget (and the backoff) count from the last retry by hand; the numbering never restarts.
    const sinceRetry = attempt - job.attempts_at_retry;
    if (classifyFailure(result) === 'dead' || sinceRetry >= this.d.settings.maxAttempts) {
      this.d.jobs.markFailed(job.id, 'dead', now, error, result.status, result.failureKind ?? null, now);
      this.d.jobs.recordAttempt({ ...base, outcome: 'dead', backoffMs: null });
      return { state: 'dead' as const, attempts: attempt, error, nextAttemptAt: undefined };
    }
    const wait = backoffMs(sinceRetry, this.d.settings);
    this.d.jobs.markFailed(job.id, 'retry-wait', now + wait, error, result.status, result.failureKind ?? null, now);
    this.d.jobs.recordAttempt({ ...base, outcome: 'retry', backoffMs: wait });
    return { state: 'retry-wait' as const, attempts: attempt, error, nextAttemptAt: now + wait };
  }

  /** One job state change: the log line and the UI event say the same thing. */
  private changed(job: DueJob, state: JobState, attempts: number, error: string | undefined, nextAttemptAt?: number): void {
    const update = {
      jobId: job.id, instanceId: job.instance_id, sopInstanceUid: job.sop_instance_uid, destination: job.destination,
      state, attempts, error, nextAttemptAt: nextAttemptAt ? new Date(nextAttemptAt).toISOString() : undefined,
    };
    const { jobId, instanceId, ...rest } = update;
    const fields = { job: jobId, instance: instanceId, ...rest };
    if (state === 'dead') this.d.logger.error('job.dead', fields);
    else if (state === 'retry-wait') this.d.logger.warn('job.retry', fields);
    else this.d.logger.info(`job.${state}`, fields);
    this.d.events.emit('job-updated', update);
  }
}
