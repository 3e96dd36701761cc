/**
 * Store-time routing against a real index, time from a manual clock: which destinations get a job
 * at once, which wait for their study to go quiet, and until when.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { IndexFields } from '../../../src-main/dicom/index-fields.ts';
import { Router } from '../../../src-main/routing/router.ts';
import type { Rule } from '../../../src-main/api/types/routing.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { destination } from '../../helpers/destination-fixtures.ts';
import { CT, queueFixture, type QueueFixture } from '../../helpers/queue-fixture.ts';
import { recordingLogger, type LoggedLine } from '../../helpers/recording-logger.ts';

const ARRIVAL = { callingAe: 'CT1', calledAe: 'GATEWAY', peerAddress: '127.0.0.1' };
const STUDY = '1.2.3';

const rule = (name: string, forward: string[], overrides: Partial<Rule> = {}): Rule => ({
  name,
  enabled: true,
  match: {},
  forward,
  studyQuietSeconds: undefined,
  ...overrides,
});

describe('Router', () => {
  let f: QueueFixture;
  let clock: ManualClock;
  let lines: LoggedLine[];
  let router: Router;

  beforeEach(() => {
    f = queueFixture([destination('pacs'), destination('archive')]);
    clock = new ManualClock();
    lines = [];
  });

  function withRules(rules: Rule[]): void {
    f.routing.saveRules(rules);
    router = new Router(f.routing, f.transitions, recordingLogger(lines));
  }

  function receive(n: number, fields: IndexFields = { studyInstanceUid: STUDY, modality: 'CT' }) {
    const instanceId = f.instance(n, fields.studyInstanceUid);
    return { instanceId, routed: router.route(instanceId, CT, fields, ARRIVAL, clock.now()) };
  }

  it('queues one job per destination its rules name, due at the time it arrived, and never two for one instance', () => {
    withRules([rule('both', ['pacs', 'archive']), rule('again', ['pacs'])]);
    clock.advance(5_000);
    const { instanceId, routed } = receive(1);
    expect(routed).toEqual({ queued: 2, waiting: 0 });
    const jobs = f.repo.list({}).sort((a, b) => a.destination.localeCompare(b.destination));
    expect(jobs.map((j) => [j.destination, j.rule, j.state, j.next_attempt_at])).toEqual([
      ['archive', 'both', 'queued', clock.now()],
      ['pacs', 'both', 'queued', clock.now()],
    ]);
    expect(jobs[0]).toMatchObject({ instance_id: instanceId, study_instance_uid: STUDY, created_at: new Date(clock.now()).toISOString() });
  });

  it('holds a quiet-rule study without a job, due studyQuietSeconds after its latest instance', () => {
    withRules([rule('whole', ['pacs'], { studyQuietSeconds: 60 })]);
    const first = clock.now();
    expect(receive(1).routed).toEqual({ queued: 0, waiting: 1 });
    expect(f.repo.nextQuietAt()).toBe(first + 60_000);
    clock.advance(45_000);
    receive(2);
    expect(f.repo.nextQuietAt()).toBe(clock.now() + 60_000);
    expect(f.repo.dueQuietStudies(first + 60_000)).toEqual([]);
    expect(f.repo.dueQuietStudies(clock.now() + 60_000)).toEqual([
      { study_instance_uid: STUDY, rule: 'whole', destination: 'pacs', last_received_at: clock.now(), quiet_ms: 60_000 },
    ]);
    expect(f.repo.list({})).toEqual([]);
  });

  it('queues at once, under a quiet rule, an instance that names no study', () => {
    withRules([rule('whole', ['pacs'], { studyQuietSeconds: 60 })]);
    expect(receive(1, { modality: 'CT' }).routed).toEqual({ queued: 1, waiting: 0 });
    expect(f.repo.nextQuietAt()).toBeUndefined();
  });

  it('skips, with a warning naming rule and destination, a destination that does not exist', () => {
    withRules([rule('typo', ['pacs', 'pacz'])]);
    const { instanceId, routed } = receive(1);
    expect(routed).toEqual({ queued: 1, waiting: 0 });
    expect(lines).toContainEqual({
      event: 'rule.unknown-destination',
      fields: { rule: 'typo', destination: 'pacz', instance: instanceId },
    });
  });

  it('routes by the rules and destinations as they are after reload, not as they were', () => {
    withRules([rule('ct', ['pacs'], { match: { modality: 'MR' } })]);
    expect(receive(1).routed.queued).toBe(0);
    f.routing.saveRules([rule('ct', ['archive'], { match: { modality: 'CT' } })]);
    f.routing.deleteDestination('pacs');
    router.reload();
    expect(receive(2).routed.queued).toBe(1);
    expect(f.repo.list({}).map((j) => j.destination)).toEqual(['archive']);
  });
});
