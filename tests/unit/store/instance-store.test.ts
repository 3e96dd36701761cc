import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src-main/db/database.ts';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import { buildP10Header } from '../../../src-main/dicom/p10-writer.ts';
import { InstanceStore, UnreadableInstanceError } from '../../../src-main/store/instance-store.ts';
import { buildDataset, type FixtureOptions } from '../../helpers/dicom-fixtures.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';

/** Instance 1.2.3.N.1.1 of series 1.2.3.N.1 of study 1.2.3.N, its other values from seed N. */
function datasetOfStudy(n: number, options: FixtureOptions = {}): Buffer {
  return buildDataset({
    seed: n,
    studyInstanceUid: `1.2.3.${n}`,
    seriesInstanceUid: `1.2.3.${n}.1`,
    sopInstanceUid: `1.2.3.${n}.1.1`,
    ...options,
  });
}

describe('InstanceStore', () => {
  let root: string;
  let db: Database;
  let repo: IndexRepository;
  let store: InstanceStore;

  beforeEach(async () => {
    root = await makeTempDir('store-');
    db = openDatabase(join(root, 'index.sqlite'));
    repo = new IndexRepository(db);
    store = await InstanceStore.open(root, repo);
  });
  afterEach(async () => {
    await store.close();
    db.close();
    await removeDir(root);
  });

  /** Receives an instance up to its acknowledgement (durable in the journal). */
  async function acknowledge(dataset: Buffer, sopInstanceUid: string, fragment = 1000) {
    const meta = { sopClassUid: CT, sopInstanceUid, transferSyntaxUid: EXPLICIT_LE };
    const writer = store.beginIncoming(meta);
    for (let i = 0; i < dataset.length; i += fragment) writer.write(dataset.subarray(i, i + fragment));
    writer.end();
    return store.commit(writer, meta, { associationId: null, callingAe: 'TEST', calledAe: 'GATEWAY', peer: null });
  }

  async function receive(dataset: Buffer, sopInstanceUid: string, fragment = 1000) {
    const stored = await acknowledge(dataset, sopInstanceUid, fragment);
    // Filing and indexing happen after the acknowledgement, in the background.
    await store.indexed();
    return stored;
  }

  const header = (sopInstanceUid: string) => buildP10Header({ sopClassUid: CT, sopInstanceUid, transferSyntaxUid: EXPLICIT_LE });

  it('stores header + dataset bytes exactly, under studies/<study>/<series>/<sop>.dcm, and indexes it', async () => {
    const dataset = datasetOfStudy(7);
    const stored = await receive(dataset, '1.2.3.7.1.1');
    expect(stored.kind).toBe('stored');
    expect(stored.path).toBe('studies/1.2.3.7/1.2.3.7.1/1.2.3.7.1.1.dcm');
    const file = await readFile(join(root, stored.path));
    const header = buildP10Header({ sopClassUid: CT, sopInstanceUid: '1.2.3.7.1.1', transferSyntaxUid: EXPLICIT_LE });
    expect(file.equals(Buffer.concat([header, dataset]))).toBe(true);
    const row = repo.instanceById(stored.instanceId)!;
    expect(row.size).toBe(file.length);
    expect(row.dataset_offset).toBe(header.length);
    expect(row.study_instance_uid).toBe('1.2.3.7');
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });

  it('counts identical bytes for the same SOP instance as a duplicate and writes no new file', async () => {
    const dataset = buildDataset({ seed: 8, sopInstanceUid: '1.2.3.8' });
    const first = await receive(dataset, '1.2.3.8');
    const again = await receive(dataset, '1.2.3.8', 333);
    expect(again.kind).toBe('duplicate');
    expect(again.path).toBe(first.path);
    expect(repo.instanceById(first.instanceId)!.duplicate_count).toBe(1);
    expect(repo.versionsOf('1.2.3.8')).toHaveLength(1);
  });

  it('keeps different bytes for the same SOP instance as version 2 beside the untouched original', async () => {
    const original = buildDataset({ seed: 9, sopInstanceUid: '1.2.3.9', patientName: 'DOE^JANE' });
    const changed = buildDataset({ seed: 9, sopInstanceUid: '1.2.3.9', patientName: 'DOE^JOHN' });
    const first = await receive(original, '1.2.3.9');
    const before = await readFile(join(root, first.path));
    const second = await receive(changed, '1.2.3.9');
    expect(second.kind).toBe('stored');
    expect(second.version).toBe(2);
    expect(second.path).toMatch(/\/1\.2\.3\.9\.v2\.dcm$/);
    expect((await readFile(join(root, first.path))).equals(before)).toBe(true);
    expect((await readFile(join(root, second.path))).subarray(before.length - original.length).equals(changed)).toBe(true);
  });

  it('never overwrites a file already at the path a new version would take', async () => {
    const dataset = datasetOfStudy(10);
    const squatter = join(root, 'studies/1.2.3.10/1.2.3.10.1');
    await mkdir(squatter, { recursive: true });
    await writeFile(join(squatter, '1.2.3.10.1.1.dcm'), 'not ours');
    const stored = await receive(dataset, '1.2.3.10.1.1');
    expect(stored.path).toMatch(/1\.2\.3\.10\.1\.1\.v2\.dcm$/);
    expect(await readFile(join(squatter, '1.2.3.10.1.1.dcm'), 'utf8')).toBe('not ours');
  });

  it('refuses an unreadable dataset with UnreadableInstanceError and keeps nothing', async () => {
    const garbage = Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0xff, 0xff, 0x01]);
    await expect(receive(garbage, '1.2.3.11')).rejects.toBeInstanceOf(UnreadableInstanceError);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
    expect(await readdir(join(root, 'studies'))).toEqual([]);
    expect(repo.versionsOf('1.2.3.11')).toEqual([]);
  });

  it('files an instance before it indexes it, so a job the router creates never names a missing file (the forward stall)', async () => {
    await store.close();
    const path = join(root, 'studies/1.2.3.13/1.2.3.13.1/1.2.3.13.1.1.dcm');
    const seenAtIndexing: boolean[] = [];
    store = await InstanceStore.open(root, repo, { onIndexed: () => seenAtIndexing.push(existsSync(path)) });
    const dataset = datasetOfStudy(13);
    expect((await receive(dataset, '1.2.3.13.1.1')).kind).toBe('stored');
    expect(seenAtIndexing).toEqual([true]);
  });

  it('on start, finishes a rename a crash interrupted after the index commit, and deletes stray temp files', async () => {
    const dataset = datasetOfStudy(12);
    const header = buildP10Header({ sopClassUid: CT, sopInstanceUid: '1.2.3.12.1.1', transferSyntaxUid: EXPLICIT_LE });
    // The state a crash between "row committed" and "renamed" leaves behind:
    await writeFile(join(root, '.incoming', 'committed.part'), Buffer.concat([header, dataset]));
    repo.insertInstance({
      id: 1,
      sopInstanceUid: '1.2.3.12.1.1',
      version: 1,
      sopClassUid: CT,
      transferSyntaxUid: EXPLICIT_LE,
      fields: {},
      path: 'studies/1.2.3.12/1.2.3.12.1/1.2.3.12.1.1.dcm',
      size: header.length + dataset.length,
      datasetOffset: header.length,
      datasetLength: dataset.length,
      datasetSha256: 'x',
      receivedAt: new Date().toISOString(),
      associationId: null,
      callingAe: null,
      incomingName: 'committed.part',
    });
    // ...and a crash before the commit:
    await writeFile(join(root, '.incoming', 'uncommitted.part'), 'half an instance');
    await store.close();
    store = await InstanceStore.open(root, repo);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
    const recovered = await readFile(join(root, 'studies/1.2.3.12/1.2.3.12.1/1.2.3.12.1.1.dcm'));
    expect(recovered.equals(Buffer.concat([header, dataset]))).toBe(true);
  });

  it('files an instance whose study or series UID is unsafe under unknown-study/unknown-series', async () => {
    const dataset = datasetOfStudy(13, { studyInstanceUid: '1.2/../../x' });
    const stored = await receive(dataset, '1.2.3.13.1.1');
    expect(stored.path).toBe('studies/unknown-study/1.2.3.13.1/1.2.3.13.1.1.dcm');
  });

  it('decides versions and duplicates the same while two versions of one UID are both still in the journal', async () => {
    const uid = '1.2.3.20.1.1';
    const ids = { studyInstanceUid: '1.2.3.20', seriesInstanceUid: '1.2.3.20.1', sopInstanceUid: uid };
    const a = buildDataset({ seed: 20, ...ids, patientName: 'DOE^A' });
    const b = buildDataset({ seed: 20, ...ids, patientName: 'DOE^B' });
    // A file where the study folder must go: filing fails (and is retried) until it is removed,
    // so everything acknowledged meanwhile stays in the journal only.
    await writeFile(join(root, 'studies', '1.2.3.20'), 'in the way');
    const outcomes = [await acknowledge(a, uid), await acknowledge(b, uid), await acknowledge(a, uid, 333), await acknowledge(b, uid, 777)];
    expect(repo.versionsOf(uid), 'nothing indexed while filing fails').toEqual([]);
    expect(outcomes.map((o) => [o.kind, o.version])).toEqual([
      ['stored', 1],
      ['stored', 2],
      ['duplicate', 1],
      ['duplicate', 2],
    ]);
    expect(outcomes[2]!.instanceId).toBe(outcomes[0]!.instanceId);
    expect(outcomes[3]!.instanceId).toBe(outcomes[1]!.instanceId);

    await rm(join(root, 'studies', '1.2.3.20'));
    const rows = await waitFor(
      'both versions indexed after the retry',
      () => (repo.versionsOf(uid).length === 2 ? repo.versionsOf(uid) : undefined),
      10_000,
    );
    expect(rows.map((r) => [r.id, r.version])).toEqual([
      [outcomes[0]!.instanceId, 1],
      [outcomes[1]!.instanceId, 2],
    ]);
    expect(rows.map((r) => repo.instanceById(r.id)!.duplicate_count)).toEqual([1, 1]);
    expect((await readFile(join(root, rows[0]!.path))).equals(Buffer.concat([header(uid), a]))).toBe(true);
    expect((await readFile(join(root, rows[1]!.path))).equals(Buffer.concat([header(uid), b]))).toBe(true);
  });

  it('replays acknowledged records the index and the folders lost, once, whatever number of times it starts', async () => {
    const uid = '1.2.3.21.1.1';
    const ids = { studyInstanceUid: '1.2.3.21', seriesInstanceUid: '1.2.3.21.1', sopInstanceUid: uid };
    const a = buildDataset({ seed: 21, ...ids, patientName: 'DOE^A' });
    const b = buildDataset({ seed: 21, ...ids, patientName: 'DOE^B' });
    const first = await receive(a, uid);
    await receive(b, uid);
    await receive(a, uid);
    const before = repo.versionsOf(uid);
    await store.close();
    // What a power loss leaves with the index at synchronous=NORMAL: the journal durable, the rest not.
    db.exec('DELETE FROM instances; UPDATE journal_state SET applied_lsn = 0');
    await rm(join(root, 'studies'), { recursive: true });

    for (let start = 1; start <= 2; start++) {
      store = await InstanceStore.open(root, repo);
      expect(repo.versionsOf(uid), `start ${start}`).toEqual(before);
      expect(repo.instanceById(first.instanceId)!.duplicate_count, `start ${start}`).toBe(1);
      expect((await readFile(join(root, before[0]!.path))).equals(Buffer.concat([header(uid), a]))).toBe(true);
      expect((await readFile(join(root, before[1]!.path))).equals(Buffer.concat([header(uid), b]))).toBe(true);
      await store.close();
    }
    store = await InstanceStore.open(root, repo);
  });

  it('journals an instance above the inline limit by its fsynced temp file, and files exactly those bytes', async () => {
    const uid = '1.2.3.22.1.1';
    const dataset = datasetOfStudy(22, { pixelDataBytes: 3 * 1024 * 1024 });
    const stored = await receive(dataset, uid, 16 * 1024);
    expect(stored.written.inline).toBeUndefined();
    expect((await readFile(join(root, stored.path))).equals(Buffer.concat([header(uid), dataset]))).toBe(true);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });

  it('files instances acknowledged together from their journal records, byte for byte', async () => {
    // Acknowledged before the applier runs: one batch, every body read back from the journal.
    const instances = [31, 32, 33, 34, 35, 36].map((n) => ({
      uid: `1.2.3.${n}.1.1`,
      dataset: datasetOfStudy(n, { pixelDataBytes: 900 * 1024 }),
    }));
    const stored = await Promise.all(instances.map((i) => acknowledge(i.dataset, i.uid, 16 * 1024)));
    await store.indexed();
    for (const [k, { uid, dataset }] of instances.entries()) {
      expect(stored[k]!.written.inline).toBeDefined();
      expect((await readFile(join(root, stored[k]!.path))).equals(Buffer.concat([header(uid), dataset]))).toBe(true);
    }
  });

  it('abort() of a transfer leaves nothing behind, in memory or spilled to a temp file', async () => {
    const meta = { sopClassUid: CT, sopInstanceUid: '1.2.3.23', transferSyntaxUid: EXPLICIT_LE };
    const small = store.beginIncoming(meta);
    small.write(Buffer.alloc(1000));
    const large = store.beginIncoming(meta);
    for (let i = 0; i < 40; i++) large.write(Buffer.alloc(64 * 1024, i));
    small.abort();
    large.abort();
    await expect(large.finished()).rejects.toThrow(/aborted/);
    await expect(small.finished()).rejects.toThrow(/aborted/);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });
});
