import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, csvField } from '../../../src-main/housekeeping/audit-log.ts';
import { JobRepository } from '../../../src-main/routing/job-repository.ts';
import { openIndexedStore, type IndexedStore } from '../../helpers/indexed-store.ts';

const STUDY = '1.2.3.4.5.6.7.8.9.84';

describe('AuditLog', () => {
  let s: IndexedStore;
  let audit: AuditLog;

  beforeEach(async () => {
    s = await openIndexedStore();
    audit = new AuditLog(s.db);
  });
  afterEach(() => s.close());

  it('records every stored instance as received from its calling AE, in the storing transaction', async () => {
    await s.receive({ sopInstanceUid: `${STUDY}.1.1`, studyInstanceUid: STUDY, patientName: 'DOE^JANE', patientId: 'P7' }, 'CT_SCANNER');
    const [line] = audit.search({});
    expect(line).toMatchObject({
      action: 'received',
      actor: 'CT_SCANNER',
      sopInstanceUid: `${STUDY}.1.1`,
      studyInstanceUid: STUDY,
      patientName: 'DOE^JANE',
      patientId: 'P7',
      instances: 1,
    });
  });

  it('records a forward when a job becomes sent, once per delivery, naming destination and rule', async () => {
    const stored = await s.receive({ sopInstanceUid: `${STUDY}.1.1`, studyInstanceUid: STUDY, patientName: 'DOE^JANE' });
    const jobs = new JobRepository(s.db);
    jobs.insert(stored.instanceId, 'ARCHIVE', 'to-archive', STUDY, Date.now());
    const job = jobs.list({})[0]!;
    jobs.setState(job.id, 'sending', Date.now());
    expect(audit.search({ action: 'forwarded' })).toEqual([]);
    jobs.markSent(job.id, 'abc', 0, Date.now());
    expect(audit.search({ action: 'forwarded' })).toMatchObject([
      { target: 'ARCHIVE', patientName: 'DOE^JANE', detail: 'rule to-archive' },
    ]);
  });

  it('searches any part of patient, AE, destination or UID, by action and date, newest first', () => {
    const base = { target: null, studyInstanceUid: null, sopInstanceUid: null, patientId: null, instances: 1, bytes: null, detail: null };
    audit.record({
      ...base,
      at: '2026-03-01T10:00:00.000Z',
      action: 'sent',
      actor: 'GATEWAY',
      target: 'PACS@10.0.0.1:104',
      patientName: null,
    });
    audit.record({ ...base, at: '2026-03-02T10:00:00.000Z', action: 'received', actor: 'CT1', patientName: 'SMITH^JOHN' });
    audit.record({ ...base, at: '2026-03-03T10:00:00.000Z', action: 'deleted', actor: 'user', patientName: 'SMITH^JOHN' });
    expect(audit.search({ text: 'smith john' }).map((e) => e.action)).toEqual(['deleted', 'received']);
    expect(audit.search({ text: 'pacs' }).map((e) => e.action)).toEqual(['sent']);
    expect(audit.search({ action: 'received' })).toHaveLength(1);
    expect(audit.search({ from: '2026-03-02', to: '2026-03-02' }).map((e) => e.action)).toEqual(['received']);
  });

  it('exports CSV with a header, quoting commas and quotes, and defusing spreadsheet formulas', () => {
    const base = { target: 'PACS', studyInstanceUid: '1.2', sopInstanceUid: '1.2.3', patientId: 'P1', instances: 1, bytes: 10 };
    audit.record({
      ...base,
      at: '2026-03-01T10:00:00.000Z',
      action: 'received',
      actor: 'CT1',
      patientName: 'DOE, "JJ"',
      detail: '=HYPERLINK("x")',
    });
    const { csv, rows } = audit.csv({});
    expect(rows).toBe(1);
    expect(csv.split('\r\n')).toEqual([
      'at,action,actor,target,patientName,patientId,studyInstanceUid,sopInstanceUid,instances,bytes,detail',
      `2026-03-01T10:00:00.000Z,received,CT1,PACS,"DOE, ""JJ""",P1,1.2,1.2.3,1,10,"'=HYPERLINK(""x"")"`,
      '',
    ]);
    expect(csvField(null)).toBe('');
  });
});
