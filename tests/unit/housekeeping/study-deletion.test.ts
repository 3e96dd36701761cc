import { access, readdir } from 'node:fs/promises';
import { listFilesRecursive } from '../../helpers/p10-regions.ts';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/housekeeping/audit-log.ts';
import { deleteStudy, StudyBusyError, UnknownStudyError } from '../../../src-main/housekeeping/study-deletion.ts';
import { JobRepository } from '../../../src-main/routing/job-repository.ts';
import { openIndexedStore, type IndexedStore } from '../../helpers/indexed-store.ts';

const A = '1.2.3.4.5.6.7.8.9.81';
const B = '1.2.3.4.5.6.7.8.9.82';

describe('deleteStudy', () => {
  let s: IndexedStore;
  let audit: AuditLog;
  let jobs: JobRepository;

  beforeEach(async () => {
    s = await openIndexedStore();
    audit = new AuditLog(s.db);
    jobs = new JobRepository(s.db);
    for (const [study, n] of [
      [A, 3],
      [B, 1],
    ] as const) {
      for (let i = 1; i <= n; i++) {
        const stored = await s.receive({
          sopInstanceUid: `${study}.1.${i}`,
          studyInstanceUid: study,
          seriesInstanceUid: `${study}.1`,
          patientName: 'KEEP^ME',
          patientId: 'P9',
          seed: i,
        });
        jobs.insert(stored.instanceId, 'PACS', 'all', study, Date.now());
      }
    }
  });
  afterEach(() => s.close());

  const count = (sql: string, ...args: string[]) => (s.db.prepare(sql).get(...args) as { n: number }).n;

  it('removes the study’s files, index rows, jobs and attempts, and nothing of another study', async () => {
    const job = jobs.list({}).find((j) => j.study_instance_uid === A)!;
    jobs.recordAttempt({
      jobId: job.id,
      attempt: 1,
      startedAt: 'x',
      finishedAt: 'y',
      outcome: 'retry',
      status: null,
      error: 'refused',
      failureKind: null,
      backoffMs: 1,
    });
    const deleted = await deleteStudy(s.db, audit, s.root, A, { actor: 'user', reason: 'test' });
    expect(deleted).toMatchObject({ studyInstanceUid: A, instances: 3, jobs: 3 });
    expect(count('SELECT count(*) AS n FROM instances WHERE study_instance_uid = ?', A)).toBe(0);
    expect(count('SELECT count(*) AS n FROM jobs WHERE study_instance_uid = ?', A)).toBe(0);
    expect(count('SELECT count(*) AS n FROM job_attempts')).toBe(0);
    expect(await listFilesRecursive(join(s.root, 'studies', A))).toEqual([]);
    expect(await listFilesRecursive(join(s.root, 'studies', B))).toHaveLength(1);
    expect(count('SELECT count(*) AS n FROM instances WHERE study_instance_uid = ?', B)).toBe(1);
    expect(count('SELECT count(*) AS n FROM jobs WHERE study_instance_uid = ?', B)).toBe(1);
  });

  it('writes one audit line naming the patient, the count, the bytes and who deleted', async () => {
    const deleted = await deleteStudy(s.db, audit, s.root, A, { actor: 'user', reason: 'deleted in the studies browser' });
    const [line] = audit.search({ action: 'deleted' });
    expect(line).toMatchObject({
      actor: 'user',
      studyInstanceUid: A,
      patientName: 'KEEP^ME',
      patientId: 'P9',
      instances: 3,
      bytes: deleted.bytes,
    });
  });

  it('refuses while one of the study’s instances is on the wire, and changes nothing', async () => {
    const job = jobs.list({}).find((j) => j.study_instance_uid === A)!;
    jobs.setState(job.id, 'sending', Date.now());
    await expect(deleteStudy(s.db, audit, s.root, A, { actor: 'user', reason: 'test' })).rejects.toThrow(StudyBusyError);
    expect(count('SELECT count(*) AS n FROM instances WHERE study_instance_uid = ?', A)).toBe(3);
    expect(audit.search({ action: 'deleted' })).toEqual([]);
    expect((await readdir(join(s.root, 'studies', A, `${A}.1`))).length).toBe(3);
  });

  it('stores the study again when it is sent again after its deletion', async () => {
    await deleteStudy(s.db, audit, s.root, A, { actor: 'user', reason: 'test' });
    const again = await s.receive({ sopInstanceUid: `${A}.1.1`, studyInstanceUid: A, seriesInstanceUid: `${A}.1`, seed: 1 });
    await expect(access(join(s.root, again.path))).resolves.toBeUndefined();
    expect(count('SELECT count(*) AS n FROM instances WHERE study_instance_uid = ?', A)).toBe(1);
  });

  it('says so when the study is not stored', async () => {
    await expect(deleteStudy(s.db, audit, s.root, '1.2.3', { actor: 'user', reason: 'test' })).rejects.toThrow(UnknownStudyError);
  });
});
