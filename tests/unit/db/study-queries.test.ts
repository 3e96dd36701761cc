import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { likePattern, StudyQueries } from '../../../src-main/db/study-queries.ts';
import { openIndexedStore, type IndexedStore } from '../../helpers/indexed-store.ts';

const ROOT = '1.2.3.4.5.6.7.8.9.77';

describe('StudyQueries', () => {
  let s: IndexedStore;
  let q: StudyQueries;

  beforeEach(async () => {
    s = await openIndexedStore();
    q = new StudyQueries(s.db);
    // Study 1: CT, 2 series (3 + 1 instances) from CT1. Study 2: MR from MR2. Study 3: CT+SR from CT1 and PACS.
    const study = (n: number) => `${ROOT}.${n}`;
    const base = (n: number, i: number, series: number) => ({
      sopInstanceUid: `${study(n)}.${series}.${i}`,
      studyInstanceUid: study(n),
      seriesInstanceUid: `${study(n)}.${series}`,
      seriesNumber: series,
      instanceNumber: i,
      seed: n * 100 + i,
    });
    const one = {
      patientName: 'SMITH^JOHN',
      patientId: 'P001',
      studyDate: '20260110',
      accessionNumber: 'ACC-100',
      modality: 'CT',
      studyDescription: 'CT CHEST',
    };
    for (const i of [1, 2, 3]) await s.receive({ ...base(1, i, 1), ...one }, 'CT1');
    await s.receive({ ...base(1, 4, 2), ...one }, 'CT1');
    await s.receive(
      { ...base(2, 1, 1), patientName: 'DOE^JANE', patientId: 'P002', studyDate: '20260220', accessionNumber: 'ACC-200', modality: 'MR' },
      'MR2',
    );
    const three = { patientName: 'O_NEIL^100%', patientId: 'P003', studyDate: '20260305', accessionNumber: 'X9' };
    await s.receive({ ...base(3, 1, 1), ...three, modality: 'CT' }, 'CT1');
    await s.receive({ ...base(3, 2, 2), ...three, modality: 'SR' }, 'PACS');
  });
  afterEach(() => s.close());

  const uids = (rows: { studyInstanceUid: string }[]) => rows.map((r) => r.studyInstanceUid.split('.').pop()).sort();

  it('finds a study by any part of the patient name typed with spaces, or by patient ID, ignoring case', () => {
    expect(uids(q.search({ patient: 'smith john' }))).toEqual(['1']);
    expect(uids(q.search({ patient: 'jane' }))).toEqual(['2']);
    expect(uids(q.search({ patient: 'p00' }))).toEqual(['1', '2', '3']);
    expect(uids(q.search({ patient: 'sm*hn' }))).toEqual(['1']);
  });

  it('takes % and _ in the search text literally', () => {
    expect(uids(q.search({ patient: '100%' }))).toEqual(['3']);
    expect(uids(q.search({ patient: 'o_n' }))).toEqual(['3']);
    expect(likePattern('a%b_c*')).toBe('%a\\%b\\_c%%');
  });

  it('filters by study date range (both date forms), modality among the study’s, accession and calling AE', () => {
    expect(uids(q.search({ dateFrom: '2026-02-01' }))).toEqual(['2', '3']);
    expect(uids(q.search({ dateFrom: '20260101', dateTo: '2026-02-20' }))).toEqual(['1', '2']);
    expect(uids(q.search({ modality: 'sr' }))).toEqual(['3']);
    expect(uids(q.search({ modality: 'CT' }))).toEqual(['1', '3']);
    expect(uids(q.search({ modality: 'C' }))).toEqual([]);
    expect(uids(q.search({ accession: 'acc-2' }))).toEqual(['2']);
    expect(uids(q.search({ callingAe: 'pacs' }))).toEqual(['3']);
    expect(uids(q.search({ callingAe: 'CT1', modality: 'SR' }))).toEqual(['3']);
  });

  it('includes both ends of a date range, one day when they are equal, and nothing when they are crossed', () => {
    expect(uids(q.search({ dateFrom: '2026-02-20', dateTo: '20260220' }))).toEqual(['2']);
    expect(uids(q.search({ dateTo: '2026-01-10' }))).toEqual(['1']);
    expect(uids(q.search({ dateFrom: '2026-03-05' }))).toEqual(['3']);
    expect(uids(q.search({ dateFrom: '2026-03-06' }))).toEqual([]);
    expect(uids(q.search({ dateFrom: '2026-02-21', dateTo: '2026-02-19' }))).toEqual([]);
  });

  it('reports a study’s counts, size, accession and every AE that sent it, newest first', () => {
    const rows = q.search({});
    expect(rows.map((r) => r.studyInstanceUid.split('.').pop())).toEqual(['3', '2', '1']);
    const first = rows.find((r) => r.studyInstanceUid.endsWith('.1'))!;
    expect(first).toMatchObject({
      patientName: 'SMITH^JOHN',
      accessionNumber: 'ACC-100',
      seriesCount: 2,
      instanceCount: 4,
      callingAes: ['CT1'],
    });
    expect(first.bytes).toBeGreaterThan(0);
    expect(rows.find((r) => r.studyInstanceUid.endsWith('.3'))!.callingAes).toEqual(['CT1', 'PACS']);
  });

  it('lists a study’s series with the middle instance as thumbnail', () => {
    const series = q.series(`${ROOT}.1`);
    expect(series.map((x) => [x.seriesNumber, x.instanceCount])).toEqual([
      [1, 3],
      [2, 1],
    ]);
    const middle = s.db.prepare('SELECT id FROM instances WHERE sop_instance_uid = ?').get(`${ROOT}.1.1.2`) as { id: number };
    expect(series[0]!.thumbnailInstanceId).toBe(middle.id);
  });

  it('totals studies, instances and bytes of the whole store', () => {
    const sizes = s.db.prepare('SELECT sum(size) AS b FROM instances').get() as { b: number };
    expect(q.totals()).toEqual({ studies: 3, instances: 7, bytes: sizes.b });
  });
});
