import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/housekeeping/audit-log.ts';
import { retentionCandidates, retentionSettings, runRetention, saveRetentionDays } from '../../../src-main/housekeeping/retention.ts';
import { JobRepository } from '../../../src-main/routing/job-repository.ts';
import type { JobState } from '../../../src-main/api/types/routing.ts';
import { openIndexedStore, type IndexedStore } from '../../helpers/indexed-store.ts';

const ROOT = '1.2.3.4.5.6.7.8.9.83';
const DAY = 24 * 60 * 60 * 1000;

describe('retention', () => {
  let s: IndexedStore;
  let jobs: JobRepository;
  const study: Record<string, string> = {};

  /** A study received `ageDays` ago whose one job is in `state` (or has no job). */
  async function studyWith(name: string, ageDays: number, state: JobState | 'none'): Promise<void> {
    const uid = `${ROOT}.${Object.keys(study).length + 1}`;
    study[name] = uid;
    const stored = await s.receive({ sopInstanceUid: `${uid}.1.1`, studyInstanceUid: uid, seriesInstanceUid: `${uid}.1` });
    s.db
      .prepare('UPDATE instances SET received_at = ? WHERE id = ?')
      .run(new Date(Date.now() - ageDays * DAY).toISOString(), stored.instanceId);
    if (state === 'none') return;
    jobs.insert(stored.instanceId, 'PACS', 'all', uid, Date.now());
    const job = jobs.list({}).find((j) => j.instance_id === stored.instanceId)!;
    if (state === 'sent') jobs.markSent(job.id, 'abc', 0, Date.now());
    else if (state !== 'queued') jobs.setState(job.id, state, Date.now());
  }

  beforeEach(async () => {
    s = await openIndexedStore();
    jobs = new JobRepository(s.db);
    for (const key of Object.keys(study)) delete study[key];
    await studyWith('oldSent', 10, 'sent');
    await studyWith('oldCancelled', 10, 'cancelled');
    await studyWith('oldUnrouted', 10, 'none');
    await studyWith('oldDead', 10, 'dead');
    await studyWith('oldQueued', 10, 'queued');
    await studyWith('oldRetrying', 10, 'retry-wait');
    await studyWith('newSent', 1, 'sent');
  });
  afterEach(() => s.close());

  it('deletes only studies older than the rule that owe no destination anything', async () => {
    const { eligible, keptUnforwarded } = retentionCandidates(s.db, 7, Date.now());
    expect(eligible.sort()).toEqual([study.oldSent, study.oldCancelled, study.oldUnrouted].sort());
    expect(keptUnforwarded).toBe(3);
    const run = await runRetention(s.db, new AuditLog(s.db), s.root, 7);
    expect(run.deleted.map((d) => d.studyInstanceUid).sort()).toEqual(eligible.sort());
    const left = (s.db.prepare('SELECT DISTINCT study_instance_uid AS u FROM instances').all() as { u: string }[]).map((r) => r.u).sort();
    expect(left).toEqual([study.oldDead, study.oldQueued, study.oldRetrying, study.newSent].sort());
    expect(new AuditLog(s.db).search({ action: 'deleted' }).map((e) => e.actor)).toEqual(['retention', 'retention', 'retention']);
  });

  it('keeps a study waiting for quiet before a study rule forwards it', async () => {
    jobs.touchQuietStudy(study.oldSent!, 'study-rule', 'PACS', Date.now(), 60_000);
    expect(retentionCandidates(s.db, 7, Date.now()).eligible).not.toContain(study.oldSent);
  });

  it('is off by default; a value saved in the UI wins over the config file’s', () => {
    expect(retentionSettings(s.db, undefined)).toEqual({ days: null, source: 'default' });
    expect(retentionSettings(s.db, 30)).toEqual({ days: 30, source: 'config' });
    saveRetentionDays(s.db, 5);
    expect(retentionSettings(s.db, 30)).toEqual({ days: 5, source: 'saved' });
    saveRetentionDays(s.db, null);
    expect(retentionSettings(s.db, 30)).toEqual({ days: null, source: 'saved' });
  });
});
