/**
 * The jobs tables read and written at the times a manual clock gives: which jobs are due when,
 * when the queue must wake next, where a job's retry budget starts, and when a quiet study is due.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { jobAttempt, jobSummary, type JobRow } from '../../../src-main/routing/job-repository.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { queueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';

const SUBJECT = {
  patientName: 'Doe^Jane',
  patientId: 'P1',
  studyDate: '20260101',
  studyDescription: null,
  modality: 'CT',
  seriesNumber: 1,
  instanceNumber: 2,
  sopClassName: 'CT Image Storage',
};

describe('JobRepository', () => {
  let f: QueueFixture;
  let clock: ManualClock;

  beforeEach(() => {
    f = queueFixture();
    clock = new ManualClock();
  });

  /** A job for a new instance, created now. */
  const job = (n: number): number => f.repo.insert(f.instance(n), 'pacs', 'all', '1.2.3', clock.now())!;
  const fail = (id: number, state: 'retry-wait' | 'dead', waitMs: number) =>
    f.repo.markFailed(id, state, clock.now() + waitMs, 'cannot connect', null, 'connection-refused', clock.now());
  const row = (id: number): JobRow => f.repo.get(id)!;

  it('hands out jobs due by now, the longest-waiting first and at most the limit, and none of another destination', () => {
    const a = job(1);
    const b = job(2);
    const c = job(3);
    fail(a, 'retry-wait', 30_000);
    fail(b, 'retry-wait', 10_000);
    expect(f.repo.dueJobs('pacs', clock.now(), 10).map((j) => j.id)).toEqual([c]);
    clock.advance(10_000);
    expect(f.repo.dueJobs('pacs', clock.now(), 10).map((j) => j.id)).toEqual([c, b]);
    expect(f.repo.dueJobs('pacs', clock.now(), 1).map((j) => j.id)).toEqual([c]);
    clock.advance(20_000);
    expect(f.repo.dueJobs('pacs', clock.now(), 10).map((j) => j.id)).toEqual([c, b, a]);
    expect(f.repo.dueJobs('archive', clock.now(), 10)).toEqual([]);
  });

  it('wakes the queue at the earliest due time of jobs still to send, ignoring those sending, sent or dead', () => {
    const a = job(1);
    const b = job(2);
    const start = clock.now();
    expect(f.repo.nextDueAt('pacs')).toBe(start);
    f.repo.setState(a, 'sending', start);
    fail(b, 'retry-wait', 20_000);
    expect(f.repo.nextDueAt('pacs')).toBe(start + 20_000);
    fail(b, 'dead', 0);
    f.repo.markSent(a, 'sha', 0, clock.now());
    expect(f.repo.nextDueAt('pacs')).toBeUndefined();
  });

  it('stamps every change with the clock’s time', () => {
    const id = job(1);
    expect(row(id)).toMatchObject({ created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' });
    clock.advance(90_000);
    f.repo.markSent(id, 'sha', 0, clock.now());
    expect(row(id)).toMatchObject({
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:01:30.000Z',
      sent_at: '2026-01-01T00:01:30.000Z',
    });
  });

  it('starts a retried job’s budget at its attempts so far, due at the time of the retry', () => {
    const id = job(1);
    fail(id, 'retry-wait', 10_000);
    clock.advance(10_000);
    fail(id, 'dead', 0);
    expect(row(id)).toMatchObject({ state: 'dead', attempts: 2, attempts_at_retry: 0 });
    clock.advance(3_600_000);
    expect(f.repo.retry(id, clock.now())).toBe(true);
    expect(row(id)).toMatchObject({ state: 'queued', attempts: 2, attempts_at_retry: 2, next_attempt_at: clock.now() });
    f.repo.markSent(id, 'sha', 0, clock.now());
    expect(f.repo.retry(id, clock.now())).toBe(false);
  });

  it('brings forward to now only the retry-waiting jobs due later, leaving their budget as it was', () => {
    const later = job(1);
    const due = job(2);
    fail(later, 'retry-wait', 60_000);
    fail(due, 'retry-wait', 0);
    clock.advance(1_000);
    expect(f.repo.retryWaitingNow('pacs', clock.now())).toEqual([later]);
    expect(row(later)).toMatchObject({ state: 'retry-wait', next_attempt_at: clock.now(), attempts: 1, attempts_at_retry: 0 });
    expect(row(due).next_attempt_at).toBe(clock.now() - 1_000);
  });

  it('re-queues a sent job on forward-now with a fresh budget, and leaves an existing job alone on insert', () => {
    const instanceId = f.instance(1);
    const id = f.repo.insert(instanceId, 'pacs', 'all', '1.2.3', clock.now())!;
    fail(id, 'retry-wait', 0);
    f.repo.markSent(id, 'sha', 0, clock.now());
    clock.advance(5_000);
    expect(f.repo.insert(instanceId, 'pacs', 'all', '1.2.3', clock.now())).toBeUndefined();
    expect(row(id).state).toBe('sent');
    expect(f.repo.insertOrRequeue(instanceId, 'pacs', null, '1.2.3', clock.now())).toBe(id);
    expect(row(id)).toMatchObject({ state: 'queued', attempts: 2, attempts_at_retry: 2, next_attempt_at: clock.now(), rule: null });
  });

  it('makes a quiet study due exactly quiet_ms after its last instance, and keeps it if one arrived since it was read', () => {
    const first = clock.now();
    f.repo.touchQuietStudy('1.2.3', 'whole', 'pacs', first, 30_000);
    expect(f.repo.dueQuietStudies(first + 29_999)).toEqual([]);
    const [due] = f.repo.dueQuietStudies(first + 30_000);
    expect(due).toMatchObject({ study_instance_uid: '1.2.3', last_received_at: first });
    clock.advance(30_000);
    f.repo.touchQuietStudy('1.2.3', 'whole', 'pacs', clock.now(), 30_000);
    expect(f.repo.finishQuietStudy(due!)).toBe(false);
    expect(f.repo.nextQuietAt()).toBe(clock.now() + 30_000);
    const [later] = f.repo.dueQuietStudies(clock.now() + 30_000);
    expect(f.repo.finishQuietStudy(later!)).toBe(true);
    expect(f.repo.nextQuietAt()).toBeUndefined();
  });
  it('shows a job with its next attempt only while it waits, and the syntax it was sent in only once sent', () => {
    const waiting = job(1);
    fail(waiting, 'retry-wait', 30_000);
    const sent = job(2);
    f.repo.markSent(sent, 'sha', 0, clock.now(), '1.2.840.10008.1.2.1');
    const dead = job(3);
    fail(dead, 'dead', 30_000);
    const subject = { ...SUBJECT };
    expect(jobSummary(row(waiting), subject)).toEqual({
      jobId: waiting,
      instanceId: row(waiting).instance_id,
      destination: 'pacs',
      rule: 'all',
      studyInstanceUid: '1.2.3',
      state: 'retry-wait',
      attempts: 1,
      nextAttemptAt: '2026-01-01T00:00:30.000Z',
      lastError: 'cannot connect',
      lastStatus: null,
      deliveries: 0,
      sentTransferSyntaxUid: null,
      updatedAt: '2026-01-01T00:00:00.000Z',
      subject,
    });
    expect(jobSummary(row(sent), null)).toMatchObject({ state: 'sent', nextAttemptAt: null, sentTransferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(jobSummary(row(dead), null)).toMatchObject({ state: 'dead', nextAttemptAt: null, sentTransferSyntaxUid: null, subject: null });
  });

  it('shows attempts and queue counts under the contract’s names', () => {
    const id = job(1);
    const record = {
      jobId: id,
      attempt: 1,
      startedAt: 'S',
      finishedAt: 'F',
      status: null,
      error: 'refused',
      failureKind: 'connection-refused',
    };
    f.repo.recordAttempt({ ...record, outcome: 'retry', backoffMs: 10_000 });
    f.repo.recordAttempt({ ...record, attempt: 2, outcome: 'sent', status: 0, error: null, failureKind: null, backoffMs: null });
    expect(f.repo.attemptsOf(id).map(jobAttempt)).toEqual([
      { attempt: 1, startedAt: 'S', finishedAt: 'F', outcome: 'retry', status: null, error: 'refused', backoffMs: 10_000 },
      { attempt: 2, startedAt: 'S', finishedAt: 'F', outcome: 'sent', status: 0, error: null, backoffMs: null },
    ]);
    fail(job(2), 'dead', 0);
    expect(f.repo.counts()).toEqual(
      expect.arrayContaining([
        { destination: 'pacs', state: 'queued', count: 1 },
        { destination: 'pacs', state: 'dead', count: 1 },
      ]),
    );
  });
});
