/**
 * The gateway's index: node:sqlite (built into the Node that Electron ships, so no native addon to
 * rebuild) in WAL mode with synchronous=NORMAL.
 *
 * NORMAL is safe because the index is not where a received instance becomes durable: the receive
 * journal is (store/journal.ts). In WAL mode NORMAL loses nothing when the process dies (committed
 * frames are in the OS's cache); only a power loss or OS crash can drop the last transactions, and
 * then the journal_state row drops with them, so the journal replays those records again. Before
 * journal space is reused, syncIndex() forces the WAL to disk.
 */
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './schema.ts';

export type Database = DatabaseSync;

/**
 * `sharedMemoryOnHeap`: exclusive locking, set before WAL mode is entered, keeps the WAL index in
 * this connection's memory rather than in `-shm`: it opens on a disk with no free byte, and no
 * other connection can read the database until this one closes.
 */
export function openDatabase(path: string, options: { sharedMemoryOnHeap?: boolean } = {}): Database {
  const db = new DatabaseSync(path);
  try {
    if (options.sharedMemoryOnHeap) db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Database): void {
  const current = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.exec('BEGIN');
    try {
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      rollbackIfOpen(db);
      throw err;
    }
  }
}

/** Runs `work` in one transaction: all of it is committed, or none. */
export function transaction<T>(db: Database, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    rollbackIfOpen(db);
    throw err;
  }
}

/**
 * On "database or disk is full" SQLite may already have rolled the transaction back itself; a
 * ROLLBACK then fails with "no transaction is active" and would hide the real error.
 */
function rollbackIfOpen(db: Database): void {
  if (db.isTransaction) db.exec('ROLLBACK');
}

/** Forces every committed transaction to disk (a FULL-sync commit fsyncs the whole WAL). */
export function syncIndex(db: Database): void {
  db.exec('PRAGMA synchronous = FULL');
  try {
    transaction(db, () => db.prepare('UPDATE journal_state SET synced_at = ? WHERE id = 1').run(new Date().toISOString()));
  } finally {
    db.exec('PRAGMA synchronous = NORMAL');
  }
}

/** SQLITE_FULL, or the OS saying the disk is full: the store goes read-only until space returns. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { errcode?: number; code?: string; message?: string };
  return (
    (e.errcode !== undefined && (e.errcode & 0xff) === 13) ||
    e.code === 'ENOSPC' ||
    e.code === 'EDQUOT' ||
    /disk is full|ENOSPC/i.test(e.message ?? '')
  );
}
