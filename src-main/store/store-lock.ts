/**
 * One gateway per storage folder. Two processes on one store would forward the same queue twice and
 * delete each other's temp files, so the store is locked at the OS level before anything in it is
 * touched.
 *
 * The lock is a POSIX fcntl lock held through node:sqlite (no native addon): `store.lock` is a
 * small SQLite database opened in exclusive locking mode with a write transaction begun and never
 * finished. SQLite then holds an exclusive fcntl lock on it for the life of the connection; the
 * kernel drops it when the process dies, even by SIGKILL, so a crash never leaves a stale lock.
 * The holder's PID is written beside it only to name it in the refusal.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const LOCK_FILE = 'store.lock';
export const LOCK_PID_FILE = 'store.lock.pid';

/** Another process holds the store; the message names the folder and that process. */
export class StoreLockedError extends Error {
  readonly root: string;
  readonly holderPid: number | undefined;
  constructor(root: string, holderPid: number | undefined) {
    const holder =
      holderPid === undefined
        ? 'another process (PID unknown)'
        : holderPid === process.pid
          ? `this process (PID ${holderPid})`
          : `another process (PID ${holderPid})`;
    super(`storage folder ${root} is in use by ${holder}: only one gateway may use a storage folder at a time`);
    this.name = 'StoreLockedError';
    this.root = root;
    this.holderPid = holderPid;
  }
}

export class StoreLock {
  private db: DatabaseSync | undefined;
  readonly root: string;

  private constructor(root: string, db: DatabaseSync) {
    this.root = root;
    this.db = db;
  }

  /** Takes the lock or throws StoreLockedError at once (never waits for the holder). */
  static acquire(root: string): StoreLock {
    const db = new DatabaseSync(join(root, LOCK_FILE), { timeout: 0 });
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      // No rollback journal: nothing is ever written, so the lock can be taken on a full disk too.
      db.exec('PRAGMA journal_mode = OFF');
      // SQLite cannot lock an empty (0-byte) database on a full disk; give it its one page while there is room.
      if ((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version === 0) db.exec('PRAGMA user_version = 1');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if (isBusy(err)) throw new StoreLockedError(root, readHolderPid(root));
      throw err;
    }
    try {
      writeFileSync(join(root, LOCK_PID_FILE), `${process.pid}\n`);
    } catch {
      // Only the refusal message of a second gateway needs it (a full disk must not stop the start).
    }
    return new StoreLock(root, db);
  }

  /** Releases the lock (closing the connection ends the transaction and the fcntl lock). */
  release(): void {
    if (!this.db) return;
    this.db.close();
    this.db = undefined;
  }
}

function isBusy(err: unknown): boolean {
  const e = err as { errcode?: number; message?: string };
  // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with or without extended bits.
  return (e.errcode !== undefined && [5, 6].includes(e.errcode & 0xff)) || /database is locked|busy/i.test(e.message ?? '');
}

function readHolderPid(root: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(root, LOCK_PID_FILE), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
