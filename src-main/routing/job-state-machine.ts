/**
 * Every job transition goes through here: router-created, queued again, sending, sent, retry-wait,
 * dead, cancelled or retried by the API. Each is written (many at once in one transaction where
 * they come together) and then announced once, as a log line and a `job-updated` event that say
 * the same thing. Nothing else writes the jobs table.
 */
import { transaction, type Database } from '../db/database.ts';
import type { GatewayEventBus } from '../events.ts';
import type { JobUpdated } from '../api/types/events.ts';
import type { Logger } from '../log/logger.ts';
import type { AttemptRecord, DueJob, JobRepository, JobView, QuietStudy } from './job-repository.ts';
import type { JobState } from '../api/types/routing.ts';

/** What one send did to one job. */
export type Settlement =
  | {
      job: DueJob;
      outcome: 'sent';
      sha256: string | undefined;
      transcodedTo?: string | undefined;
      status: number | null;
      attempt: AttemptRecord;
    }
  | {
      job: DueJob;
      outcome: 'retry-wait' | 'dead';
      nextAttemptAt: number;
      error: string;
      status: number | null;
      failureKind: string | null;
      attempt: AttemptRecord;
    }
  /** Never tried (the send stopped, the worker went away): back to the queue, no attempt counted. */
  | { job: DueJob; outcome: 'queued'; reason: string };

export class JobStateMachine {
  private readonly db: Database;
  private readonly repo: JobRepository;
  private readonly events: GatewayEventBus;
  private readonly logger: Logger;
  private readonly routedUnannounced = new Set<number>();

  constructor(db: Database, repo: JobRepository, events: GatewayEventBus, logger: Logger) {
    this.db = db;
    this.repo = repo;
    this.events = events;
    this.logger = logger;
  }

  /**
   * A job the router creates inside the transaction that indexes its instance. It is announced by
   * announceRouted(), once that transaction has committed.
   */
  routed(instanceId: number, destination: string, rule: string, study: string | null, now: number): boolean {
    const id = this.repo.insert(instanceId, destination, rule, study, now);
    if (id === undefined) return false;
    this.routedUnannounced.add(id);
    return true;
  }

  /**
   * Announces the jobs routed since the last call. Called after each group commit, once the
   * instances it indexed have been announced: a job is told after the instance it forwards. A
   * job whose transaction rolled back has no row and is not announced (a Set, so that an id the
   * next transaction reuses is announced once).
   */
  announceRouted(): void {
    const ids = [...this.routedUnannounced];
    this.routedUnannounced.clear();
    this.announceIds(ids);
  }

  /** The router's note that a study is still arriving for a destination (no job yet). */
  waitForQuietStudy(study: string, rule: string, destination: string, now: number, quietMs: number): void {
    this.repo.touchQuietStudy(study, rule, destination, now, quietMs);
  }

  /** A study quiet long enough: one job per latest instance version, unless more arrived since. */
  promoteQuietStudy(quiet: QuietStudy, now: number): number {
    const created = transaction(this.db, () => {
      if (!this.repo.finishQuietStudy(quiet)) return [];
      return this.repo
        .latestInstancesOfStudy(quiet.study_instance_uid)
        .map((id) => this.repo.insert(id, quiet.destination, quiet.rule, quiet.study_instance_uid, now))
        .filter((id): id is number => id !== undefined);
    });
    this.announceIds(created);
    return created.length;
  }

  /** "Forward now": every instance queued afresh for `destination`, whatever happened before. */
  forwardNow(instances: { id: number; study: string | null }[], destination: string, now: number): number {
    const ids = transaction(this.db, () => instances.map((i) => this.repo.insertOrRequeue(i.id, destination, null, i.study, now)));
    this.announceIds(ids);
    return ids.length;
  }

  /** Jobs a crash left "sending" go back to the queue: delivery is at least once. */
  requeueInterrupted(now: number): number {
    const ids = this.repo.requeueSending(now);
    this.announceIds(ids);
    return ids.length;
  }

  /**
   * Like every index commit (synchronous=NORMAL, db/database.ts), not waited for on disk: if a
   * crash loses the mark the job is back to 'queued', which is exactly what start-up makes of a
   * 'sending' job anyway.
   */
  markSending(jobs: DueJob[], now: number): void {
    transaction(this.db, () => jobs.forEach((job) => this.repo.setState(job.id, 'sending', now)));
    for (const job of jobs) this.announce(update(job, 'sending', job.attempts));
  }

  /** Many send results in one transaction, then one announcement each. */
  settle(settlements: Settlement[], now: number): void {
    if (settlements.length === 0) return;
    transaction(this.db, () => settlements.forEach((s) => this.write(s, now)));
    for (const s of settlements) this.announce(announcementOf(s));
  }

  retry(id: number, now: number): boolean {
    const retried = this.repo.retry(id, now);
    if (retried) this.announceIds([id]);
    return retried;
  }

  retryDead(destination: string, now: number): number {
    const ids = this.repo.retryDead(destination, now);
    this.announceIds(ids);
    return ids.length;
  }

  /** Every job of `destination` waiting to retry becomes due now. */
  retryDestinationNow(destination: string, now: number): number {
    const ids = this.repo.retryWaitingNow(destination, now);
    this.announceIds(ids);
    return ids.length;
  }

  cancel(id: number, now: number): boolean {
    const cancelled = this.repo.cancel(id, now);
    if (cancelled) this.announceIds([id]);
    return cancelled;
  }

  private write(s: Settlement, now: number): void {
    switch (s.outcome) {
      case 'sent':
        this.repo.markSent(s.job.id, s.sha256, s.status, now, s.transcodedTo);
        this.repo.recordAttempt(s.attempt);
        return;
      case 'retry-wait':
      case 'dead':
        this.repo.markFailed(s.job.id, s.outcome, s.nextAttemptAt, s.error, s.status, s.failureKind, now);
        this.repo.recordAttempt(s.attempt);
        return;
      case 'queued':
        this.repo.setState(s.job.id, 'queued', now);
    }
  }

  private announceIds(ids: number[]): void {
    for (const id of ids) {
      const view = this.repo.view(id);
      if (view) this.announce(viewUpdate(view));
    }
  }

  private announce(u: JobUpdated): void {
    const { jobId, instanceId, ...rest } = u;
    const fields = { job: jobId, instance: instanceId, ...rest };
    if (u.state === 'dead') this.logger.error('job.dead', fields);
    else if (u.state === 'retry-wait') this.logger.warn('job.retry', fields);
    // Handing a job to the sender is a step, not an outcome: its line is for debugging (a relay's
    // log had three lines per instance forwarded where two say what happened).
    else if (u.state === 'sending') this.logger.debug('job.sending', fields);
    else this.logger.info(`job.${u.state}`, fields);
    this.events.emit('job-updated', u);
  }
}

function update(job: JobView, state: JobState, attempts: number, error?: string, nextAttemptAt?: number): JobUpdated {
  return {
    jobId: job.id,
    instanceId: job.instance_id,
    sopInstanceUid: job.sop_instance_uid,
    destination: job.destination,
    state,
    attempts,
    error,
    nextAttemptAt: nextAttemptAt === undefined ? undefined : new Date(nextAttemptAt).toISOString(),
  };
}

function viewUpdate(v: JobView): JobUpdated {
  const u = update(v, v.state, v.attempts, v.last_error ?? undefined, v.state === 'retry-wait' ? v.next_attempt_at : undefined);
  return v.state === 'sent' && v.sent_transfer_syntax_uid ? { ...u, sentTransferSyntaxUid: v.sent_transfer_syntax_uid } : u;
}

function announcementOf(s: Settlement): JobUpdated {
  switch (s.outcome) {
    case 'sent':
      return { ...update(s.job, 'sent', s.job.attempts + 1), ...(s.transcodedTo ? { sentTransferSyntaxUid: s.transcodedTo } : {}) };
    case 'retry-wait':
      return update(s.job, 'retry-wait', s.job.attempts + 1, s.error, s.nextAttemptAt);
    case 'dead':
      return update(s.job, 'dead', s.job.attempts + 1, s.error);
    case 'queued':
      return update(s.job, 'queued', s.job.attempts);
  }
}
