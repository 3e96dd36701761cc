/**
 * Every job transition is written by JobStateMachine and announced once as job-updated, whoever
 * causes it: the router, the queue, or the API.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { transaction } from '../../../src-main/db/database.ts';
import { silentLogger } from '../../../src-main/log/logger.ts';
import { previewRetryDead } from '../../../src-main/routing/retry-dead-preview.ts';
import { Router } from '../../../src-main/routing/router.ts';
import type { DueJob } from '../../../src-main/routing/job-repository.ts';
import type { Settlement } from '../../../src-main/routing/job-state-machine.ts';
import { queueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';

const NOW = Date.UTC(2026, 0, 1);
const ARRIVAL = { callingAe: 'CT1', calledAe: 'GATEWAY', peerAddress: '127.0.0.1' };

function failed(job: DueJob, outcome: 'retry-wait' | 'dead', failureKind: string, status: number | null, nextAttemptAt = NOW): Settlement {
  const attempt = {
    jobId: job.id,
    attempt: job.attempts + 1,
    startedAt: '',
    finishedAt: '',
    outcome: outcome === 'dead' ? ('dead' as const) : ('retry' as const),
    status,
    error: failureKind,
    failureKind,
    backoffMs: null,
  };
  return { job, outcome, nextAttemptAt, error: `failed: ${failureKind}`, status, failureKind, attempt };
}

describe('JobStateMachine', () => {
  let f: QueueFixture;
  beforeEach(() => {
    f = queueFixture();
    f.routing.saveRules([{ name: 'all', enabled: true, match: {}, forward: ['pacs'], studyQuietSeconds: undefined }]);
  });

  const route = (router: Router, instanceId: number) =>
    router.route(instanceId, '1.2.840.10008.5.1.4.1.1.2', { studyInstanceUid: '1.2.3' } as never, ARRIVAL, NOW);

  it('announces a router-created job when asked after the transaction that indexed its instance has committed, once', () => {
    const router = new Router(f.routing, f.transitions, silentLogger);
    const instanceId = f.instance(1);
    transaction(f.db, () => {
      route(router, instanceId);
      expect(f.updates).toHaveLength(0); // not yet: the instance row is not committed
    });
    expect(f.updates).toHaveLength(0); // not before the store has told its instance
    f.transitions.announceRouted();
    f.transitions.announceRouted();
    expect(f.updates).toEqual([
      expect.objectContaining({ instanceId, sopInstanceUid: '1.2.3.1', destination: 'pacs', state: 'queued', attempts: 0 }),
    ]);
  });

  it('announces nothing for a job whose indexing transaction was rolled back', () => {
    const router = new Router(f.routing, f.transitions, silentLogger);
    expect(() =>
      transaction(f.db, () => {
        route(router, f.instance(1));
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    f.transitions.announceRouted();
    expect(f.updates).toHaveLength(0);
    expect(f.repo.list({})).toHaveLength(0);
  });

  it('announces a cancel and a retry asked for through the API', () => {
    const id = f.repo.insert(f.instance(1), 'pacs', 'all', '1.2.3', NOW)!;
    expect(f.transitions.cancel(id, NOW)).toBe(true);
    expect(f.transitions.retry(id, NOW)).toBe(true);
    expect(f.transitions.cancel(999, NOW)).toBe(false);
    expect(f.updates.map((u) => [u.jobId, u.state])).toEqual([
      [id, 'cancelled'],
      [id, 'queued'],
    ]);
  });

  it('makes every retry-waiting job of one destination due now, keeping their attempt counts', () => {
    for (let n = 1; n <= 3; n++) f.repo.insert(f.instance(n), 'pacs', 'all', '1.2.3', NOW);
    const due = f.repo.dueJobs('pacs', NOW, 10);
    f.transitions.markSending(due, NOW);
    f.transitions.settle(
      due.map((job) => failed(job, 'retry-wait', 'connection-refused', null, NOW + 600_000)),
      NOW,
    );
    expect(f.repo.dueJobs('pacs', NOW + 1, 10)).toHaveLength(0);
    f.updates.length = 0;

    expect(f.transitions.retryDestinationNow('pacs', NOW + 1)).toBe(3);
    expect(f.repo.dueJobs('pacs', NOW + 1, 10).map((j) => [j.state, j.attempts])).toEqual([
      ['retry-wait', 1],
      ['retry-wait', 1],
      ['retry-wait', 1],
    ]);
    expect(f.updates.map((u) => u.state)).toEqual(['retry-wait', 'retry-wait', 'retry-wait']);
    expect(f.updates.every((u) => u.nextAttemptAt === new Date(NOW + 1).toISOString())).toBe(true);
  });

  it('tells, before retrying the dead, how many died for a reason a retry cannot change', () => {
    for (let n = 1; n <= 4; n++) f.repo.insert(f.instance(n), 'pacs', 'all', '1.2.3', NOW);
    const [a, b, c, d] = f.repo.dueJobs('pacs', NOW, 10);
    f.transitions.settle(
      [
        failed(a!, 'dead', 'sop-class-refused', null),
        failed(b!, 'dead', 'sop-class-refused', null),
        failed(c!, 'dead', 'status', 0xa900),
        failed(d!, 'dead', 'connection-refused', null),
      ],
      NOW,
    );
    const preview = previewRetryDead(f.repo, 'pacs');
    expect(preview).toMatchObject({ dead: 4, permanent: 3 });
    expect(preview.causes).toContainEqual(expect.objectContaining({ failureKind: 'sop-class-refused', count: 2, permanent: true }));
    expect(preview.causes).toContainEqual(expect.objectContaining({ failureKind: 'connection-refused', count: 1, permanent: false }));
    expect(previewRetryDead(f.repo, 'other')).toEqual({ dead: 0, permanent: 0, causes: [] });
    expect(f.transitions.retryDead('pacs', NOW)).toBe(4);
  });

  it('puts jobs a crash left sending back in the queue, announcing each', () => {
    for (let n = 1; n <= 2; n++) f.repo.insert(f.instance(n), 'pacs', 'all', '1.2.3', NOW);
    f.transitions.markSending(f.repo.dueJobs('pacs', NOW, 10), NOW);
    f.updates.length = 0;
    expect(f.transitions.requeueInterrupted(NOW)).toBe(2);
    expect(f.updates.map((u) => u.state)).toEqual(['queued', 'queued']);
  });
});
