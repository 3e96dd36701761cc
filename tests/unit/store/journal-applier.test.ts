import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src-main/db/database.ts';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import { silentLogger } from '../../../src-main/log/logger.ts';
import { JournalApplier, type DurableRecord } from '../../../src-main/store/journal-applier.ts';
import type { JournalEntry } from '../../../src-main/store/journal-entry.ts';
import { Journal } from '../../../src-main/store/journal.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

describe('JournalApplier', () => {
  let root: string;
  let db: Database;
  let repo: IndexRepository;
  let journal: Journal<JournalEntry>;
  let applier: JournalApplier;
  let batches: number[][];

  beforeEach(async () => {
    root = await makeTempDir('applier-');
    db = openDatabase(join(root, 'index.sqlite'));
    repo = new IndexRepository(db);
    ({ journal } = await Journal.open<JournalEntry>(root, 0, 64 * 1024));
    batches = [];
    applier = new JournalApplier(
      {
        root,
        repo,
        journal,
        logger: silentLogger,
        onIndexed: undefined,
        onApplied: (records) => batches.push(records.map((r) => r.lsn)),
        onWritableChange: () => undefined,
      },
      0,
    );
  });
  afterEach(async () => {
    await applier.stop();
    await journal.close();
    db.close();
    await removeDir(root);
  });

  // A duplicate needs no file: these records exercise the batching alone.
  const duplicate = (lsn: number): DurableRecord => ({
    lsn,
    entry: { kind: 'duplicate', id: 1, sopInstanceUid: '1.2.3' },
    body: { segment: 0, offset: 0, length: 0 },
    bytes: undefined,
    replayed: false,
  });

  it('applies records that settle one after another in one batch, one index transaction', async () => {
    for (const lsn of [1, 2, 3]) applier.settle(lsn, duplicate(lsn));
    await waitFor('a batch applied', () => batches.length > 0);
    expect(batches[0]).toEqual([1, 2, 3]);
    expect(repo.appliedLsn()).toBe(3);
  });

  it('applies a lone record by itself after a short pause, with nobody asking', async () => {
    applier.settle(1, duplicate(1));
    expect(batches).toEqual([]);
    await waitFor('the record applied', () => repo.appliedLsn() === 1, 5_000, 5);
    expect(batches).toEqual([[1]]);
  });

  it('applies at once when someone waits for the index', async () => {
    applier.settle(1, duplicate(1));
    applier.settle(2, duplicate(2));
    await applier.drain();
    expect(repo.appliedLsn()).toBe(2);
    const applied = applier.whenApplied(3);
    applier.settle(3, duplicate(3));
    applier.kick();
    await applied;
    expect(batches).toEqual([[1, 2], [3]]);
  });
});
