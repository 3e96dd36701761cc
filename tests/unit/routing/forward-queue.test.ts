/**
 * The forward queue against a real index and a scripted sender, time driven by a manual clock:
 * what is handed out when, what each result does to its job, and how many transactions it takes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-main/log/logger.ts';
import { ForwardQueue, SETTLE_GATHER_MS } from '../../../src-main/routing/forward-queue.ts';
import { Router } from '../../../src-main/routing/router.ts';
import type { ForwardTarget, JobResult, SendJob } from '../../../src-main/routing/forward-messages.ts';
import type { SenderFactory } from '../../../src-main/routing/forward-sender.ts';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from '../../../src-main/routing/routing-types.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { destination } from '../../helpers/destination-fixtures.ts';
import { queueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';

/** A sender that sends nothing: it records what it was handed and answers when the test says. */
class ScriptedSender {
  handed: { target: ForwardTarget; jobs: SendJob[] }[] = [];
  stopped = false;
  answer: (results: JobResult[]) => void = () => {};
  readonly factory: SenderFactory = (onResults) => {
    this.answer = onResults;
    return {
      send: (target, jobs) => this.handed.push({ target, jobs }),
      stop: async () => {
        this.stopped = true;
        const open = this.handedJobs().filter((j) => !this.answered.has(j.jobId));
        this.answer(open.map((j) => result(j.jobId, { ok: false, failureKind: 'cancelled', error: 'not sent: stopping' })));
      },
    };
  };
  readonly answered = new Set<number>();
  handedJobs(): SendJob[] {
    return this.handed.flatMap((h) => h.jobs);
  }
  reply(results: JobResult[]): void {
    for (const r of results) this.answered.add(r.jobId);
    this.answer(results);
  }
}

function result(jobId: number, r: Partial<JobResult> = {}): JobResult {
  return { jobId, ok: true, status: 0, meaning: 'Success', error: undefined, failureKind: undefined, sha256: `sha-${jobId}`, ...r };
}

const ARRIVAL = { callingAe: 'CT1', calledAe: 'GATEWAY', peerAddress: '127.0.0.1' };

describe('ForwardQueue', () => {
  let f: QueueFixture;
  let clock: ManualClock;
  let sender: ScriptedSender;
  let queue: ForwardQueue;
  /** How many handed jobs refuseAll() has answered so far. */
  let refused: number;
  const settings: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, maxAttempts: 3, backoffBaseSeconds: 10, backoffMaxSeconds: 60 };

  function startQueue(s: QueueSettings = settings) {
    queue = new ForwardQueue({
      jobs: f.repo,
      transitions: f.transitions,
      routing: f.routing,
      storeRoot: '/store',
      settings: s,
      defaultCallingAe: 'GATEWAY',
      logger: silentLogger,
      sender: sender.factory,
      clock,
      random: () => 1,
    });
    queue.start();
    clock.settle();
  }

  /** A router-created job for a new instance, then the kick the gateway gives after indexing. */
  function arrive(n: number): number {
    const instanceId = f.instance(n);
    f.transitions.routed(instanceId, 'pacs', 'all', '1.2.3', clock.now());
    f.transitions.announceRouted();
    queue.kick();
    return instanceId;
  }

  /** The sender's answer, and the time the queue gathers results for before it settles them. */
  function reply(results: JobResult[]): void {
    sender.reply(results);
    clock.advance(SETTLE_GATHER_MS);
  }

  beforeEach(() => {
    f = queueFixture([destination('pacs', { maxAssociations: 2 })]);
    clock = new ManualClock();
    sender = new ScriptedSender();
    refused = 0;
  });

  /** The sender answers every job handed to it since the last call with a failure a retry can change. */
  function refuseAll(): void {
    const open = sender.handedJobs().slice(refused);
    refused += open.length;
    reply(open.map((j) => result(j.jobId, { ok: false, status: null, failureKind: 'connection-refused', error: 'cannot connect' })));
    clock.settle();
  }

  const backoffs = (jobId: number) => f.repo.attemptsOf(jobId).map((a) => [a.attempt, a.outcome, a.backoff_ms]);

  it('doubles the wait after each failure up to backoffMaxSeconds, then dead-letters at maxAttempts', () => {
    startQueue({ ...settings, maxAttempts: 6 });
    arrive(1);
    clock.settle();
    const jobId = sender.handedJobs()[0]!.jobId;
    for (const wait of [10_000, 20_000, 40_000, 60_000, 60_000]) {
      const handedBefore = sender.handedJobs().length;
      refuseAll();
      expect(f.repo.get(jobId)).toMatchObject({ state: 'retry-wait', next_attempt_at: clock.now() + wait });
      clock.advance(wait - 1);
      expect(sender.handedJobs()).toHaveLength(handedBefore);
      clock.advance(1);
      expect(sender.handedJobs()).toHaveLength(handedBefore + 1);
    }
    refuseAll();
    expect(f.repo.get(jobId)).toMatchObject({ state: 'dead', attempts: 6 });
    expect(backoffs(jobId)).toEqual([
      [1, 'retry', 10_000],
      [2, 'retry', 20_000],
      [3, 'retry', 40_000],
      [4, 'retry', 60_000],
      [5, 'retry', 60_000],
      [6, 'dead', null],
    ]);
    clock.advance(3_600_000);
    expect(sender.handedJobs()).toHaveLength(6);
  });

  it('gives a dead job retried by hand a fresh budget and backoff from the base, numbering its attempts on', () => {
    startQueue();
    arrive(1);
    clock.settle();
    const jobId = sender.handedJobs()[0]!.jobId;
    for (let attempt = 1; attempt <= 3; attempt++) {
      refuseAll();
      clock.advance(60_000);
    }
    expect(f.repo.get(jobId)).toMatchObject({ state: 'dead', attempts: 3, attempts_at_retry: 0 });

    expect(f.transitions.retry(jobId, clock.now())).toBe(true);
    queue.kick();
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(4);
    refuseAll();
    expect(f.repo.get(jobId)).toMatchObject({
      state: 'retry-wait',
      attempts: 4,
      attempts_at_retry: 3,
      next_attempt_at: clock.now() + 10_000,
    });
    clock.advance(10_000);
    refuseAll();
    clock.advance(20_000);
    refuseAll();
    expect(f.repo.get(jobId)).toMatchObject({ state: 'dead', attempts: 6 });
    expect(backoffs(jobId).slice(3)).toEqual([
      [4, 'retry', 10_000],
      [5, 'retry', 20_000],
      [6, 'dead', null],
    ]);
  });

  it('hands a retry-waiting job at once on retry-now, keeping its budget and backoff where they were', () => {
    startQueue();
    arrive(1);
    clock.settle();
    const jobId = sender.handedJobs()[0]!.jobId;
    refuseAll();
    expect(f.transitions.retryDestinationNow('pacs', clock.now())).toBe(1);
    queue.kick();
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(2);
    refuseAll();
    expect(f.repo.get(jobId)).toMatchObject({ state: 'retry-wait', attempts: 2, next_attempt_at: clock.now() + 20_000 });
    f.transitions.retryDestinationNow('pacs', clock.now());
    queue.kick();
    clock.settle();
    refuseAll();
    expect(f.repo.get(jobId)).toMatchObject({ state: 'dead', attempts: 3 });
  });

  it('forwards a quiet-rule study whole once no instance has arrived for studyQuietSeconds, not before', () => {
    f.routing.saveRules([{ name: 'whole', enabled: true, match: {}, forward: ['pacs'], studyQuietSeconds: 30 }]);
    const router = new Router(f.routing, f.transitions, silentLogger);
    startQueue();
    const receive = (n: number) => {
      router.route(f.instance(n), '1.2.840.10008.5.1.4.1.1.2', { studyInstanceUid: '1.2.3' }, ARRIVAL, clock.now());
      queue.kick();
      clock.settle();
    };
    receive(1);
    clock.advance(20_000);
    receive(2); // the study is still arriving: its quiet time starts again
    clock.advance(29_999);
    expect(sender.handedJobs()).toHaveLength(0);
    expect(f.repo.list({})).toHaveLength(0);
    clock.advance(1);
    expect(sender.handedJobs().map((j) => j.sopInstanceUid)).toEqual(['1.2.3.1', '1.2.3.2']);
    expect(f.repo.nextQuietAt()).toBeUndefined();
  });

  it('hands each job to the sender as it arrives, with where its dataset lies in the stored file', () => {
    startQueue();
    arrive(1);
    clock.settle();
    arrive(2);
    clock.settle();
    expect(sender.handed.map((h) => h.jobs.length)).toEqual([1, 1]);
    const [first] = sender.handed[0]!.jobs;
    expect(first).toMatchObject({ file: '/store/s/1.dcm', datasetOffset: 200, datasetLength: 800, sopInstanceUid: '1.2.3.1' });
    expect(sender.handed[0]!.target).toMatchObject({ name: 'pacs', callingAe: 'GATEWAY', maxAssociations: 2, lingerMs: 2000 });
    expect(f.repo.list({}).map((j) => j.state)).toEqual(['sending', 'sending']);
  });

  it('marks everything that arrived in one turn sending in one transaction, and settles many results in one', () => {
    startQueue();
    for (let n = 1; n <= 20; n++) arrive(n);
    f.commits();
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(20);
    expect(f.commits()).toBe(1);
    reply(sender.handedJobs().map((j) => result(j.jobId)));
    clock.settle();
    expect(f.commits()).toBe(1);
    const jobs = f.repo.list({});
    expect(jobs.every((j) => j.state === 'sent' && j.deliveries === 1 && j.attempts === 1)).toBe(true);
    expect(f.updates.filter((u) => u.state === 'sent')).toHaveLength(20);
  });

  it('settles results that come back one by one within the gather time together, and 32 waiting at once', () => {
    startQueue();
    for (let n = 1; n <= 40; n++) arrive(n);
    clock.settle();
    const handed = sender.handedJobs();
    f.commits();
    for (const job of handed.slice(0, 5)) {
      sender.reply([result(job.jobId)]);
      clock.settle();
    }
    expect(f.commits()).toBe(0);
    clock.advance(SETTLE_GATHER_MS);
    expect(f.commits()).toBe(1);
    expect(f.repo.list({ state: 'sent' })).toHaveLength(5);
    for (const job of handed.slice(5, 37)) sender.reply([result(job.jobId)]);
    clock.settle();
    expect(f.repo.list({ state: 'sent' })).toHaveLength(37);
  });

  it('keeps at most batchSize jobs of a destination with the sender and hands more as results come back', () => {
    startQueue({ ...settings, batchSize: 5 });
    for (let n = 1; n <= 12; n++) arrive(n);
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(5);
    reply(
      sender
        .handedJobs()
        .slice(0, 3)
        .map((j) => result(j.jobId)),
    );
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(8);
    expect(queue.inFlight).toBe(5);
  });

  it('waits the backoff before handing a failed job again, then counts the delivery once it is acknowledged', () => {
    startQueue();
    const instanceId = arrive(1);
    clock.settle();
    const [job] = sender.handedJobs();
    reply([result(job!.jobId, { ok: false, status: null, failureKind: 'connection-refused', error: 'cannot connect' })]);
    clock.settle();
    const waiting = f.repo.list({})[0]!;
    expect(waiting).toMatchObject({
      state: 'retry-wait',
      attempts: 1,
      next_attempt_at: clock.now() + 10_000,
      last_error: 'cannot connect',
    });
    clock.advance(9_999);
    expect(sender.handedJobs()).toHaveLength(1);
    clock.advance(1);
    expect(sender.handedJobs()).toHaveLength(2);
    reply([result(job!.jobId)]);
    clock.settle();
    expect(f.repo.list({})[0]).toMatchObject({ state: 'sent', attempts: 2, deliveries: 1, instance_id: instanceId });
    expect(f.repo.attemptsOf(job!.jobId).map((a) => a.outcome)).toEqual(['retry', 'sent']);
  });

  it('dead-letters at once a failure a retry cannot change, and after maxAttempts any other', () => {
    startQueue();
    arrive(1);
    arrive(2);
    clock.settle();
    const [refused, flaky] = sender.handedJobs();
    reply([
      result(refused!.jobId, { ok: false, status: null, failureKind: 'sop-class-refused', error: 'does not accept SOP class' }),
      result(flaky!.jobId, { ok: false, status: 0xa700, failureKind: 'status', error: 'out of resources' }),
    ]);
    for (let attempt = 2; attempt <= 3; attempt++) {
      clock.advance(60_000);
      reply([result(flaky!.jobId, { ok: false, status: 0xa700, failureKind: 'status', error: 'out of resources' })]);
    }
    clock.settle();
    const byId = new Map(f.repo.list({}).map((j) => [j.id, j]));
    expect(byId.get(refused!.jobId)).toMatchObject({ state: 'dead', attempts: 1, failure_kind: 'sop-class-refused' });
    expect(byId.get(flaky!.jobId)).toMatchObject({ state: 'dead', attempts: 3, last_status: 0xa700 });
  });

  it('puts jobs the sender never tried back in the queue without counting an attempt', async () => {
    startQueue();
    arrive(1);
    arrive(2);
    clock.settle();
    const [sent] = sender.handedJobs();
    reply([result(sent!.jobId)]);
    await queue.stop();
    const states = f.repo.list({}).map((j) => [j.state, j.attempts]);
    expect(states).toEqual([
      ['queued', 0],
      ['sent', 1],
    ]);
    expect(sender.stopped).toBe(true);
  });

  it('sends again on start what a crash left sending, and counts the repeated delivery', () => {
    startQueue();
    arrive(1);
    clock.settle();
    const [job] = sender.handedJobs();
    reply([result(job!.jobId)]);
    clock.settle();
    f.transitions.forwardNow([{ id: f.repo.get(job!.jobId)!.instance_id, study: '1.2.3' }], 'pacs', clock.now());
    queue.kick();
    clock.settle();
    expect(f.repo.get(job!.jobId)!.state).toBe('sending');

    // The process dies here; a new queue starts on the same index.
    sender = new ScriptedSender();
    startQueue();
    expect(sender.handedJobs().map((j) => j.jobId)).toEqual([job!.jobId]);
    reply([result(job!.jobId)]);
    clock.settle();
    expect(f.repo.get(job!.jobId)).toMatchObject({ state: 'sent', deliveries: 2 });
  });

  it('hands nothing to a disabled destination, and its jobs wait', () => {
    f.routing.saveDestination(destination('pacs', { enabled: false }));
    startQueue();
    arrive(1);
    clock.advance(60_000);
    expect(sender.handedJobs()).toHaveLength(0);
    expect(f.repo.list({})[0]!.state).toBe('queued');
  });
});
