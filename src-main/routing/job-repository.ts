/**
 * The forward queue's tables (jobs, job_attempts, quiet_studies) as prepared statements. Reads are
 * for anyone; the write methods are called only by JobStateMachine, which announces every change.
 */
import type { StatementSync } from 'node:sqlite';
import type { InstanceSubject, JobAttempt, JobSummary, QueueCount } from '../api/contract.ts';
import type { JobState } from '../api/types/routing.ts';
import type { Database } from '../db/database.ts';

/** What one destination was sent of an instance; sentTransferSyntaxUid is set only when the dataset was converted. */
export interface SentHop {
  destination: string;
  sha256: string | null;
  sentAt: string | null;
  /** The job's state and last error: a hop not sent says whether it will be, and if not, why. */
  state: JobState;
  error: string | null;
  /** Set when the dataset was transcoded for this destination: the syntax actually sent. */
  sentTransferSyntaxUid: string | null;
}

export interface JobRow {
  id: number;
  instance_id: number;
  destination: string;
  rule: string | null;
  study_instance_uid: string | null;
  state: JobState;
  /** Every attempt ever made, across retries by hand. */
  attempts: number;
  /** The value of `attempts` when the job was last retried by hand or re-queued: its budget starts there. */
  attempts_at_retry: number;
  next_attempt_at: number;
  last_error: string | null;
  last_status: number | null;
  failure_kind: string | null;
  deliveries: number;
  sent_sha256: string | null;
  /** Set when the destination was sent a converted dataset (the syntax it got); null when sent as stored. */
  sent_transfer_syntax_uid: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

/** A job with the SOP Instance UID its events name. */
export interface JobView extends JobRow {
  sop_instance_uid: string;
}

/** A due job with what the sender needs from its instance row (no file is re-read to send it). */
export interface DueJob extends JobView {
  path: string;
  dataset_offset: number;
  dataset_length: number;
  sop_class_uid: string;
  transfer_syntax_uid: string;
}

export interface AttemptRecord {
  jobId: number;
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: 'sent' | 'retry' | 'dead' | 'cancelled';
  status: number | null;
  error: string | null;
  failureKind: string | null;
  backoffMs: number | null;
}

/** One row of job_attempts: what an attempt to send a job came to. */
export interface AttemptRow {
  job_id: number;
  attempt: number;
  started_at: string;
  finished_at: string;
  outcome: AttemptRecord['outcome'];
  status: number | null;
  error: string | null;
  failure_kind: string | null;
  /** The wait chosen before the next attempt (null when none follows). */
  backoff_ms: number | null;
}

export interface QuietStudy {
  study_instance_uid: string;
  rule: string;
  destination: string;
  last_received_at: number;
  quiet_ms: number;
}

/** Dead jobs of one destination grouped by why they died. */
export interface DeadCause {
  failure_kind: string | null;
  last_status: number | null;
  n: number;
  example: string | null;
}

const DUE_JOB_COLUMNS = `j.*, i.path, i.dataset_offset, i.dataset_length, i.sop_class_uid, i.sop_instance_uid, i.transfer_syntax_uid`;

export class JobRepository {
  private readonly s: Record<string, StatementSync>;

  constructor(db: Database) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO jobs (instance_id, destination, rule, study_instance_uid, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (instance_id, destination) DO NOTHING RETURNING id`,
      ),
      requeue: db.prepare(
        `INSERT INTO jobs (instance_id, destination, rule, study_instance_uid, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)
         ON CONFLICT (instance_id, destination) DO UPDATE SET state = 'queued', attempts_at_retry = attempts,
           next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at, rule = excluded.rule
         RETURNING id`,
      ),
      interrupted: db.prepare(`UPDATE jobs SET state = 'queued', updated_at = ? WHERE state = 'sending' RETURNING id`),
      due: db.prepare(
        `SELECT ${DUE_JOB_COLUMNS} FROM jobs j JOIN instances i ON i.id = j.instance_id
         WHERE j.destination = ? AND j.state IN ('queued', 'retry-wait') AND j.next_attempt_at <= ?
         ORDER BY j.next_attempt_at, j.id`,
      ),
      nextDue: db.prepare(`SELECT min(next_attempt_at) AS at FROM jobs WHERE destination = ? AND state IN ('queued', 'retry-wait')`),
      setState: db.prepare(`UPDATE jobs SET state = ?, updated_at = ? WHERE id = ?`),
      sent: db.prepare(
        `UPDATE jobs SET state = 'sent', attempts = attempts + 1, deliveries = deliveries + 1, sent_sha256 = ?,
           sent_transfer_syntax_uid = ?, last_error = NULL, last_status = ?, failure_kind = NULL, sent_at = ?, updated_at = ? WHERE id = ?`,
      ),
      failed: db.prepare(
        `UPDATE jobs SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, last_status = ?,
           failure_kind = ?, updated_at = ? WHERE id = ?`,
      ),
      attempt: db.prepare(
        `INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome, status, error, failure_kind, backoff_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byId: db.prepare(`SELECT * FROM jobs WHERE id = ?`),
      view: db.prepare(`SELECT j.*, i.sop_instance_uid FROM jobs j JOIN instances i ON i.id = j.instance_id WHERE j.id = ?`),
      retryOne: db.prepare(
        `UPDATE jobs SET state = 'queued', attempts_at_retry = attempts, next_attempt_at = ?, updated_at = ?
         WHERE id = ? AND state IN ('dead', 'retry-wait', 'cancelled')`,
      ),
      retryDead: db.prepare(
        `UPDATE jobs SET state = 'queued', attempts_at_retry = attempts, next_attempt_at = ?, updated_at = ? WHERE destination = ? AND state = 'dead'
         RETURNING id`,
      ),
      retryWaitingNow: db.prepare(
        `UPDATE jobs SET next_attempt_at = ?, updated_at = ? WHERE destination = ? AND state = 'retry-wait' AND next_attempt_at > ?
         RETURNING id`,
      ),
      deadCauses: db.prepare(
        `SELECT failure_kind, last_status, count(*) AS n, min(last_error) AS example FROM jobs
         WHERE destination = ? AND state = 'dead' GROUP BY failure_kind, last_status ORDER BY n DESC`,
      ),
      cancel: db.prepare(`UPDATE jobs SET state = 'cancelled', updated_at = ? WHERE id = ? AND state IN ('queued', 'retry-wait', 'dead')`),
      attemptsOf: db.prepare(`SELECT * FROM job_attempts WHERE job_id = ? ORDER BY attempt`),
      list: db.prepare(
        `SELECT * FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR destination = ?2) ORDER BY id DESC LIMIT ?3`,
      ),
      counts: db.prepare(`SELECT destination, state, count(*) AS count FROM jobs GROUP BY destination, state`),
      upsertQuiet: db.prepare(
        `INSERT INTO quiet_studies (study_instance_uid, rule, destination, last_received_at, quiet_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (study_instance_uid, rule, destination) DO UPDATE SET last_received_at = excluded.last_received_at,
           quiet_ms = excluded.quiet_ms`,
      ),
      dueQuiet: db.prepare(`SELECT * FROM quiet_studies WHERE last_received_at + quiet_ms <= ?`),
      waitingQuiet: db.prepare(`SELECT * FROM quiet_studies ORDER BY last_received_at + quiet_ms, study_instance_uid, destination`),
      nextQuiet: db.prepare(`SELECT min(last_received_at + quiet_ms) AS at FROM quiet_studies`),
      deleteQuiet: db.prepare(
        `DELETE FROM quiet_studies WHERE study_instance_uid = ? AND rule = ? AND destination = ? AND last_received_at = ?`,
      ),
      sendsOf: db.prepare(
        `SELECT destination, sent_sha256 AS sha256, sent_at AS sentAt, state, last_error AS error, sent_transfer_syntax_uid AS sentTransferSyntaxUid
         FROM jobs WHERE instance_id = ? ORDER BY destination`,
      ),
      latestOfStudy: db.prepare(
        `SELECT i.id FROM instances i WHERE i.study_instance_uid = ?
           AND i.version = (SELECT max(v.version) FROM instances v WHERE v.sop_instance_uid = i.sop_instance_uid)
         ORDER BY i.series_instance_uid, i.instance_number, i.id`,
      ),
    };
  }

  // --- reads ---------------------------------------------------------------------------------

  /**
   * Up to `limit` due jobs of a destination, the longest-waiting first: read in index order
   * (jobs_waiting) and no further. No `LIMIT ?`: SQLite recompiles a statement every time a LIMIT
   * parameter is bound.
   */
  dueJobs(destination: string, now: number, limit: number): DueJob[] {
    const due: DueJob[] = [];
    if (limit <= 0) return due;
    for (const row of this.s.due!.iterate(destination, now)) {
      due.push(row as unknown as DueJob);
      if (due.length >= limit) break;
    }
    return due;
  }

  nextDueAt(destination: string): number | undefined {
    const row = this.s.nextDue!.get(destination) as { at: number | null };
    return row.at ?? undefined;
  }

  get(id: number): JobRow | undefined {
    return this.s.byId!.get(id) as JobRow | undefined;
  }

  view(id: number): JobView | undefined {
    return this.s.view!.get(id) as JobView | undefined;
  }

  attemptsOf(id: number): AttemptRow[] {
    return this.s.attemptsOf!.all(id) as unknown as AttemptRow[];
  }

  list(filter: { state?: JobState; destination?: string; limit?: number }): JobRow[] {
    return this.s.list!.all(filter.state ?? null, filter.destination ?? null, filter.limit ?? 500) as unknown as JobRow[];
  }

  counts(): QueueCount[] {
    return this.s.counts!.all() as unknown as QueueCount[];
  }

  deadCauses(destination: string): DeadCause[] {
    return this.s.deadCauses!.all(destination) as unknown as DeadCause[];
  }

  dueQuietStudies(now: number): QuietStudy[] {
    return this.s.dueQuiet!.all(now) as unknown as QuietStudy[];
  }

  /** Every study a study-quiet rule holds back, the first to be forwarded first. */
  waitingQuietStudies(): QuietStudy[] {
    return this.s.waitingQuiet!.all() as unknown as QuietStudy[];
  }

  nextQuietAt(): number | undefined {
    return (this.s.nextQuiet!.get() as { at: number | null }).at ?? undefined;
  }

  /** What each destination was sent of this instance (sha256 null while not sent). */
  sendsOf(instanceId: number): SentHop[] {
    return this.s.sendsOf!.all(instanceId) as unknown as SentHop[];
  }

  latestInstancesOfStudy(study: string): number[] {
    return (this.s.latestOfStudy!.all(study) as { id: number }[]).map((r) => r.id);
  }

  // --- writes (JobStateMachine only) ---------------------------------------------------------

  /** A new job; undefined when the (instance, destination) job already exists (it is left alone). */
  insert(instanceId: number, destination: string, rule: string | null, study: string | null, now: number): number | undefined {
    const iso = new Date(now).toISOString();
    const row = this.s.insert!.get(instanceId, destination, rule, study, now, iso, iso) as { id: number } | undefined;
    return row?.id;
  }

  /** Queues the job afresh even if it was sent, dead or cancelled before. */
  insertOrRequeue(instanceId: number, destination: string, rule: string | null, study: string | null, now: number): number {
    const iso = new Date(now).toISOString();
    return (this.s.requeue!.get(instanceId, destination, rule, study, now, iso, iso) as { id: number }).id;
  }

  requeueSending(now: number): number[] {
    return ids(this.s.interrupted!.all(new Date(now).toISOString()));
  }

  setState(id: number, state: JobState, now: number): void {
    this.s.setState!.run(state, new Date(now).toISOString(), id);
  }

  /** `transcodedTo`: the syntax the dataset was converted to (sha256 is of the converted bytes). */
  markSent(id: number, sha256: string | undefined, status: number | null, now: number, transcodedTo?: string): void {
    const iso = new Date(now).toISOString();
    this.s.sent!.run(sha256 ?? null, transcodedTo ?? null, status, iso, iso, id);
  }

  markFailed(
    id: number,
    state: 'retry-wait' | 'dead',
    nextAttemptAt: number,
    error: string,
    status: number | null,
    kind: string | null,
    now: number,
  ): void {
    this.s.failed!.run(state, nextAttemptAt, error, status, kind, new Date(now).toISOString(), id);
  }

  recordAttempt(a: AttemptRecord): void {
    this.s.attempt!.run(a.jobId, a.attempt, a.startedAt, a.finishedAt, a.outcome, a.status, a.error, a.failureKind, a.backoffMs);
  }

  retry(id: number, now: number): boolean {
    return this.s.retryOne!.run(now, new Date(now).toISOString(), id).changes > 0;
  }

  retryDead(destination: string, now: number): number[] {
    return ids(this.s.retryDead!.all(now, new Date(now).toISOString(), destination));
  }

  /** Retry-wait jobs of a destination become due now (their attempt count is kept). */
  retryWaitingNow(destination: string, now: number): number[] {
    return ids(this.s.retryWaitingNow!.all(now, new Date(now).toISOString(), destination, now));
  }

  cancel(id: number, now: number): boolean {
    return this.s.cancel!.run(new Date(now).toISOString(), id).changes > 0;
  }

  touchQuietStudy(study: string, rule: string, destination: string, now: number, quietMs: number): void {
    this.s.upsertQuiet!.run(study, rule, destination, now, quietMs);
  }

  /** Removes the waiting entry only if no instance arrived since it was read. */
  finishQuietStudy(q: QuietStudy): boolean {
    return this.s.deleteQuiet!.run(q.study_instance_uid, q.rule, q.destination, q.last_received_at).changes > 0;
  }
}

function ids(rows: unknown[]): number[] {
  return (rows as { id: number }[]).map((r) => r.id);
}

// --- rows as the contract shows them -----------------------------------------------------------

/** A job as the queue view lists it; `subject` is whose images it carries (null once the instance is gone). */
export function jobSummary(row: JobRow, subject: InstanceSubject | null): JobSummary {
  return {
    jobId: row.id,
    instanceId: row.instance_id,
    destination: row.destination,
    rule: row.rule,
    studyInstanceUid: row.study_instance_uid,
    state: row.state,
    attempts: row.attempts,
    // Only a waiting job has a next attempt, and only a sent one a syntax it was sent in.
    nextAttemptAt: row.state === 'retry-wait' ? new Date(row.next_attempt_at).toISOString() : null,
    lastError: row.last_error,
    lastStatus: row.last_status,
    deliveries: row.deliveries,
    sentTransferSyntaxUid: row.state === 'sent' ? row.sent_transfer_syntax_uid : null,
    updatedAt: row.updated_at,
    subject,
  };
}

export function jobAttempt(row: AttemptRow): JobAttempt {
  return {
    attempt: row.attempt,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    status: row.status,
    error: row.error,
    backoffMs: row.backoff_ms,
  };
}
