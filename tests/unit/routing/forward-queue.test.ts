/**
 * The forward queue against a real index and a scripted sender, time driven by a manual clock:
 * what is handed out when, what each result does to its job, and how many transactions it takes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src-main/log/logger.ts';
import { ForwardQueue } from '../../../src-main/routing/forward-queue.ts';
import type { ForwardTarget, JobResult, SendJob } from '../../../src-main/routing/forward-messages.ts';
import type { SenderFactory } from '../../../src-main/routing/forward-sender.ts';
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from '../../../src-main/routing/routing-types.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { destination, queueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';

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

describe('ForwardQueue', () => {
  let f: QueueFixture;
  let clock: ManualClock;
  let sender: ScriptedSender;
  let queue: ForwardQueue;
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
    queue.kick();
    return instanceId;
  }

  beforeEach(() => {
    f = queueFixture([destination('pacs', { maxAssociations: 2 })]);
    clock = new ManualClock();
    sender = new ScriptedSender();
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
    sender.reply(sender.handedJobs().map((j) => result(j.jobId)));
    clock.settle();
    expect(f.commits()).toBe(1);
    const jobs = f.repo.list({});
    expect(jobs.every((j) => j.state === 'sent' && j.deliveries === 1 && j.attempts === 1)).toBe(true);
    expect(f.updates.filter((u) => u.state === 'sent')).toHaveLength(20);
  });

  it('keeps at most batchSize jobs of a destination with the sender and hands more as results come back', () => {
    startQueue({ ...settings, batchSize: 5 });
    for (let n = 1; n <= 12; n++) arrive(n);
    clock.settle();
    expect(sender.handedJobs()).toHaveLength(5);
    sender.reply(
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
    sender.reply([result(job!.jobId, { ok: false, status: null, failureKind: 'connection-refused', error: 'cannot connect' })]);
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
    sender.reply([result(job!.jobId)]);
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
    sender.reply([
      result(refused!.jobId, { ok: false, status: null, failureKind: 'sop-class-refused', error: 'does not accept SOP class' }),
      result(flaky!.jobId, { ok: false, status: 0xa700, failureKind: 'status', error: 'out of resources' }),
    ]);
    for (let attempt = 2; attempt <= 3; attempt++) {
      clock.advance(60_000);
      sender.reply([result(flaky!.jobId, { ok: false, status: 0xa700, failureKind: 'status', error: 'out of resources' })]);
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
    sender.reply([result(sent!.jobId)]);
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
    sender.reply([result(job!.jobId)]);
    clock.settle();
    f.transitions.forwardNow([{ id: f.repo.get(job!.jobId)!.instance_id, study: '1.2.3' }], 'pacs', clock.now());
    queue.kick();
    clock.settle();
    expect(f.repo.get(job!.jobId)!.state).toBe('sending');

    // The process dies here; a new queue starts on the same index.
    sender = new ScriptedSender();
    startQueue();
    expect(sender.handedJobs().map((j) => j.jobId)).toEqual([job!.jobId]);
    sender.reply([result(job!.jobId)]);
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
