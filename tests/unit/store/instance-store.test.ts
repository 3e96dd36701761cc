import { execFileSync } from 'node:child_process';
import { constants, existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src-main/db/database.ts';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import { buildP10Header } from '../../../src-main/dicom/p10-writer.ts';
import { InstanceStore, UnreadableInstanceError } from '../../../src-main/store/instance-store.ts';
import { buildDataset } from '../../helpers/dicom-fixtures.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';

describe('InstanceStore', () => {
  let root: string;
  let db: Database;
  let repo: IndexRepository;
  let store: InstanceStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'store-'));
    db = openDatabase(join(root, 'index.sqlite'));
    repo = new IndexRepository(db);
    store = await InstanceStore.open(root, repo);
  });
  afterEach(async () => {
    db.close();
    await rm(root, { recursive: true, force: true });
  });

  async function receive(dataset: Buffer, sopInstanceUid: string, fragment = 1000) {
    const meta = { sopClassUid: CT, sopInstanceUid, transferSyntaxUid: EXPLICIT_LE };
    const writer = store.beginIncoming(meta);
    for (let i = 0; i < dataset.length; i += fragment) writer.write(dataset.subarray(i, i + fragment));
    writer.end();
    return store.commit(writer, meta, { associationId: null, callingAe: 'TEST', calledAe: 'GATEWAY', peer: null });
  }

  it('stores header + dataset bytes exactly, under studies/<study>/<series>/<sop>.dcm, and indexes it', async () => {
    const dataset = buildDataset({ seed: 7, studyInstanceUid: '1.2.3.7', seriesInstanceUid: '1.2.3.7.1', sopInstanceUid: '1.2.3.7.1.1' });
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
    const dataset = buildDataset({ seed: 10, studyInstanceUid: '1.2.3.10', seriesInstanceUid: '1.2.3.10.1', sopInstanceUid: '1.2.3.10.1.1' });
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

  it('indexes (and so queues jobs for) an instance before its file is at its path, and whenPlaced waits until it is', async () => {
    const dataset = buildDataset({ seed: 13, studyInstanceUid: '1.2.3.13', seriesInstanceUid: '1.2.3.13.1', sopInstanceUid: '1.2.3.13.1.1' });
    const path = join(root, 'studies/1.2.3.13/1.2.3.13.1/1.2.3.13.1.1.dcm');
    let release: (() => Promise<void>) | undefined;
    type Seen = { fileThere: boolean; placed: 'placed' | 'pending'; afterPlaced: Promise<boolean> };
    let report!: (seen: Seen) => void;
    let fail!: (err: unknown) => void;
    const seenByPump = new Promise<Seen>((resolve, reject) => ((report = resolve), (fail = reject)));
    store.onIndexed = (instanceId) => {
      // The rename comes next; with every file-system thread held, it cannot run until released.
      release = holdFileSystemThreads(root);
      // Where the forward queue's pump looks first: a setImmediate after the commit.
      setImmediate(async () => {
        try {
          const placement = store.whenPlaced(instanceId);
          report({
            fileThere: existsSync(path),
            placed: await Promise.race([placement.then(() => 'placed' as const), Promise.resolve('pending' as const)]),
            afterPlaced: placement.then(() => existsSync(path)),
          });
        } catch (err) {
          fail(err);
        }
      });
    };
    const receiving = receive(dataset, '1.2.3.13.1.1');
    try {
      const seen = await Promise.race([
        seenByPump,
        receiving.then(() => {
          throw new Error('stored without calling onIndexed');
        }),
      ]);
      expect(seen.fileThere).toBe(false);
      expect(seen.placed).toBe('pending');
      await release!();
      release = undefined;
      expect(await seen.afterPlaced).toBe(true);
    } finally {
      await release?.();
    }
    expect((await receiving).kind).toBe('stored');
  });

  it('on start, finishes a rename a crash interrupted after the index commit, and deletes stray temp files', async () => {
    const dataset = buildDataset({ seed: 12, studyInstanceUid: '1.2.3.12', seriesInstanceUid: '1.2.3.12.1', sopInstanceUid: '1.2.3.12.1.1' });
    const header = buildP10Header({ sopClassUid: CT, sopInstanceUid: '1.2.3.12.1.1', transferSyntaxUid: EXPLICIT_LE });
    // The state a crash between "row committed" and "renamed" leaves behind:
    await writeFile(join(root, '.incoming', 'committed.part'), Buffer.concat([header, dataset]));
    repo.insertInstance({
      sopInstanceUid: '1.2.3.12.1.1', version: 1, sopClassUid: CT, transferSyntaxUid: EXPLICIT_LE, fields: {},
      path: 'studies/1.2.3.12/1.2.3.12.1/1.2.3.12.1.1.dcm', size: header.length + dataset.length,
      datasetOffset: header.length, datasetLength: dataset.length, datasetSha256: 'x', receivedAt: new Date().toISOString(),
      associationId: null, callingAe: null, incomingName: 'committed.part',
    });
    // ...and a crash before the commit:
    await writeFile(join(root, '.incoming', 'uncommitted.part'), 'half an instance');
    await InstanceStore.open(root, repo);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
    const recovered = await readFile(join(root, 'studies/1.2.3.12/1.2.3.12.1/1.2.3.12.1.1.dcm'));
    expect(recovered.equals(Buffer.concat([header, dataset]))).toBe(true);
  });

  it('files an instance whose study or series UID is unsafe under unknown-study/unknown-series', async () => {
    const dataset = buildDataset({ seed: 13, studyInstanceUid: '1.2/../../x', seriesInstanceUid: '1.2.3.13.1', sopInstanceUid: '1.2.3.13.1.1' });
    const stored = await receive(dataset, '1.2.3.13.1.1');
    expect(stored.path).toBe('studies/unknown-study/1.2.3.13.1/1.2.3.13.1.1.dcm');
  });
});

/**
 * Occupies every libuv thread (file-system calls run there) with an open() of a FIFO that has no
 * writer, so file operations queued after this call wait. The returned function releases them.
 */
function holdFileSystemThreads(dir: string): () => Promise<void> {
  const fifo = join(dir, `hold-${process.hrtime.bigint()}.fifo`);
  execFileSync('mkfifo', [fifo]);
  const threads = Math.max(4, Number(process.env.UV_THREADPOOL_SIZE) || 4);
  const readers = Array.from({ length: threads + 1 }, () => open(fifo, 'r'));
  return async () => {
    // O_RDWR on a FIFO never blocks, and while it is open every reader's open() returns.
    const writer = openSync(fifo, constants.O_RDWR);
    try {
      for (const reader of await Promise.all(readers)) await reader.close();
    } finally {
      closeSync(writer);
    }
  };
}

