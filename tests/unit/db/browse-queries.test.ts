/**
 * The UI's lists read from an index filled at the times a manual clock gives: the studies most
 * recently received first, a study's instances in series order, every version of an instance,
 * associations newest first, and whose images a list of jobs is about.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { BrowseQueries } from '../../../src-main/db/browse-queries.ts';
import { openDatabase } from '../../../src-main/db/database.ts';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import type { IndexFields } from '../../../src-main/dicom/index-fields.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { CT, EXPLICIT_LE } from '../../helpers/queue-fixture.ts';

describe('BrowseQueries', () => {
  let index: IndexRepository;
  let browse: BrowseQueries;
  let clock: ManualClock;
  let nextId: number;

  beforeEach(() => {
    const db = openDatabase(':memory:');
    index = new IndexRepository(db);
    browse = new BrowseQueries(db);
    clock = new ManualClock();
    nextId = 1;
  });

  const iso = () => new Date(clock.now()).toISOString();

  /** An instance row received now (no file: these queries read only the index). */
  function received(sopInstanceUid: string, fields: IndexFields, version = 1): number {
    const id = nextId++;
    return index.insertInstance({
      id,
      sopInstanceUid,
      version,
      sopClassUid: CT,
      transferSyntaxUid: EXPLICIT_LE,
      fields,
      path: `s/${id}.dcm`,
      size: 1000 * id,
      datasetOffset: 200,
      datasetLength: 1000 * id - 200,
      datasetSha256: `sha-${id}`,
      receivedAt: iso(),
      associationId: null,
      callingAe: 'CT1',
      incomingName: null,
    });
  }

  const study = (uid: string, series: number, instance: number): IndexFields => ({
    studyInstanceUid: uid,
    seriesInstanceUid: `${uid}.${series}`,
    seriesNumber: series,
    instanceNumber: instance,
    modality: 'CT',
    patientName: `PATIENT^${uid}`,
  });

  it('lists studies by when they last received an instance, newest first, with their first and last times', () => {
    received('1.1.1', study('1', 1, 1));
    clock.advance(60_000);
    received('2.1.1', study('2', 1, 1));
    clock.advance(60_000);
    received('1.1.2', study('1', 1, 2)); // study 1 is the most recent again
    const studies = browse.studies();
    expect(studies.map((s) => [s.studyInstanceUid, s.lastReceivedAt, s.instanceCount, s.bytes])).toEqual([
      ['1', '2026-01-01T00:02:00.000Z', 2, 1000 + 3000],
      ['2', '2026-01-01T00:01:00.000Z', 1, 2000],
    ]);
    expect(browse.studies(1).map((s) => s.studyInstanceUid)).toEqual(['1']);
  });

  it('leaves instances without a study out of the study list but not out of the recent instances', () => {
    received('9.9.9', { modality: 'OT' });
    received('1.1.1', study('1', 1, 1));
    expect(browse.studies().map((s) => s.studyInstanceUid)).toEqual(['1']);
    expect(browse.instances({}).map((i) => i.sopInstanceUid)).toEqual(['1.1.1', '9.9.9']);
    expect(browse.instances({ limit: 1 }).map((i) => i.sopInstanceUid)).toEqual(['1.1.1']);
  });

  it('lists a study’s instances by series and instance number, and every version of one instance in order', () => {
    received('1.2.1', study('1', 2, 1));
    received('1.1.2', study('1', 1, 2));
    received('1.1.1', study('1', 1, 1));
    clock.advance(1_000);
    received('1.1.1', study('1', 1, 1), 2);
    expect(browse.instances({ studyInstanceUid: '1' }).map((i) => [i.sopInstanceUid, i.version])).toEqual([
      ['1.1.1', 1],
      ['1.1.1', 2],
      ['1.1.2', 1],
      ['1.2.1', 1],
    ]);
    const versions = browse.instances({ sopInstanceUid: '1.1.1' });
    expect(versions.map((v) => [v.version, v.receivedAt])).toEqual([
      [1, '2026-01-01T00:00:00.000Z'],
      [2, '2026-01-01T00:00:01.000Z'],
    ]);
    expect(versions[0]).toMatchObject({ sopClassName: 'CT Image Storage', callingAe: 'CT1', duplicateCount: 0 });
  });

  it('lists associations newest first, open ones without an end', () => {
    const first = index.openAssociation({ direction: 'inbound', callingAe: 'CT1', calledAe: 'GW', peer: '10.0.0.1', startedAt: iso() })!;
    clock.advance(5_000);
    index.closeAssociation(first, iso(), 3, 3000, 'released');
    const open = index.openAssociation({ direction: 'inbound', callingAe: 'MR2', calledAe: 'GW', peer: '10.0.0.2', startedAt: iso() })!;
    expect(browse.associations()).toEqual([
      expect.objectContaining({ associationId: open, callingAe: 'MR2', endedAt: null, instances: 0 }),
      expect.objectContaining({
        associationId: first,
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:05.000Z',
        instances: 3,
        bytes: 3000,
        result: 'released',
      }),
    ]);
  });

  it('names the patient and study of each instance asked for, however many, once per instance', () => {
    const ids = Array.from({ length: 1203 }, (_, n) => received(`1.1.${n}`, study('1', 1, n)));
    const subjects = browse.subjects([...ids, ids[0]!, 999_999]);
    expect(subjects.size).toBe(1203);
    expect(subjects.get(ids[1202]!)).toEqual({
      patientName: 'PATIENT^1',
      patientId: null,
      studyDate: null,
      studyDescription: null,
      modality: 'CT',
      seriesNumber: 1,
      instanceNumber: 1202,
      sopClassName: 'CT Image Storage',
    });
  });
});
