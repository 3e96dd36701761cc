/**
 * A store and index in a temp folder, filled the way C-STORE fills it (streamed in, committed),
 * for tests of what reads the index: study queries, deletion, retention, the audit trail.
 */
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src-main/db/database.ts';
import { IndexRepository } from '../../src-main/db/index-repository.ts';
import { InstanceStore, type StoredInstance } from '../../src-main/store/instance-store.ts';
import { buildDataset, type FixtureOptions } from './dicom-fixtures.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';

export interface IndexedStore {
  root: string;
  db: Database;
  store: InstanceStore;
  receive(opts: FixtureOptions & { sopInstanceUid: string }, callingAe?: string): Promise<StoredInstance>;
  close(): Promise<void>;
}

export async function openIndexedStore(): Promise<IndexedStore> {
  const root = await makeTempDir('indexed-store-');
  const db = openDatabase(join(root, 'index.sqlite'));
  const store = await InstanceStore.open(root, new IndexRepository(db));
  return {
    root,
    db,
    store,
    async receive(opts, callingAe = 'MODALITY') {
      const meta = {
        sopClassUid: opts.sopClassUid ?? CT,
        sopInstanceUid: opts.sopInstanceUid,
        transferSyntaxUid: opts.transferSyntaxUid ?? EXPLICIT_LE,
      };
      const writer = store.beginIncoming(meta);
      writer.write(buildDataset(opts));
      writer.end();
      const stored = await store.commit(writer, meta, { associationId: null, callingAe, calledAe: 'GATEWAY', peer: null });
      // Acknowledged once journaled; what reads the index needs it filed and indexed too.
      await stored.indexed;
      return stored;
    },
    async close() {
      await store.close();
      db.close();
      await removeDir(root);
    },
  };
}
