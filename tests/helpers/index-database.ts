/**
 * A gateway's index read straight from its SQLite file, read-only: what a running, stopped or
 * killed gateway has committed, seen without going through the engine under test.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export function readIndexDatabase<T>(storage: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(storage, 'index.sqlite'), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Forward jobs not (yet) sent: 0 once the queue is idle with everything delivered. */
export function unsentJobCount(storage: string): number {
  return readIndexDatabase(storage, (db) => (db.prepare(`SELECT count(*) AS n FROM jobs WHERE state <> 'sent'`).get() as { n: number }).n);
}
