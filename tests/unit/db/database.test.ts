import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDiskFull, openDatabase, transaction, type Database } from '../../../src-main/db/database.ts';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

describe('index database on a full disk', () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = await makeTempDir('db-');
    db = openDatabase(join(dir, 'index.sqlite'));
  });
  afterEach(async () => {
    db.close();
    await removeDir(dir);
  });

  /** The database may not grow past its current size: every write that needs a page is "disk full". */
  function fillDatabase(): void {
    db.exec('CREATE TABLE filler (x BLOB)');
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    db.exec(`PRAGMA max_page_count = ${pages}`);
  }

  it('a transaction that hits "database or disk is full" throws that error, not "no transaction is active"', () => {
    fillDatabase();
    let error: Error | undefined;
    try {
      transaction(db, () => {
        for (let i = 0; i < 100; i++) db.prepare('INSERT INTO filler VALUES (?)').run(Buffer.alloc(8192));
      });
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(/database or disk is full/);
    expect(isDiskFull(error)).toBe(true);
    expect(db.isTransaction).toBe(false);
    // And the connection is still usable.
    expect(transaction(db, () => 42)).toBe(42);
  });

  it('association bookkeeping on a full index returns null / does nothing instead of throwing into a socket handler', () => {
    const repo = new IndexRepository(db);
    const failures: string[] = [];
    repo.onBookkeepingError = (what, err) => failures.push(`${what}: ${err.message}`);
    db.exec(`PRAGMA max_page_count = ${(db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count}`);
    const ids: (number | null)[] = [];
    for (let i = 0; i < 500; i++) {
      ids.push(
        repo.openAssociation({
          direction: 'inbound',
          callingAe: 'A'.repeat(16),
          calledAe: 'B'.repeat(16),
          peer: `127.0.0.1:${i}`,
          startedAt: 'x'.repeat(200),
        }),
      );
    }
    expect(ids).toContain(null);
    expect(() => repo.closeAssociation(1, 'now', 1, 1, 'r'.repeat(4000))).not.toThrow();
    expect(failures.some((f) => /disk is full/.test(f))).toBe(true);
  });
});
