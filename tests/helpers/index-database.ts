/**
 * A gateway's index read straight from its SQLite file, read-only: what a running, stopped or
 * killed gateway has committed, seen without going through the engine under test.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** The rows of one SELECT on the index in `storage`, typed as the caller names the columns. */
export function selectFromIndex<Row>(storage: string, sql: string): Row[] {
  const db = new DatabaseSync(join(storage, 'index.sqlite'), { readOnly: true });
  try {
    return db.prepare(sql).all() as unknown as Row[];
  } finally {
    db.close();
  }
}

/** Forward jobs not (yet) sent: 0 once the queue is idle with everything delivered. */
export function unsentJobCount(storage: string): number {
  return selectFromIndex<{ n: number }>(storage, `SELECT count(*) AS n FROM jobs WHERE state <> 'sent'`)[0]!.n;
}
