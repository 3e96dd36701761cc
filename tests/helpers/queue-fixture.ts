/** An index with instances, destinations and the job machinery over it, for unit tests of the queue. */
import { openDatabase, type Database } from '../../src-main/db/database.ts';
import { GatewayEventBus } from '../../src-main/events.ts';
import type { JobUpdated } from '../../src-main/api/types/events.ts';
import { silentLogger } from '../../src-main/log/logger.ts';
import { JobRepository } from '../../src-main/routing/job-repository.ts';
import { JobStateMachine } from '../../src-main/routing/job-state-machine.ts';
import { RoutingRepository } from '../../src-main/routing/routing-repository.ts';
import type { Destination } from '../../src-main/api/types/routing.ts';
import { destination } from './destination-fixtures.ts';

export const CT = '1.2.840.10008.5.1.4.1.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

export interface QueueFixture {
  db: Database;
  repo: JobRepository;
  transitions: JobStateMachine;
  routing: RoutingRepository;
  events: GatewayEventBus;
  /** Every job-updated event so far. */
  updates: JobUpdated[];
  /** Inserts an instance row (no file) and returns its id. */
  instance(n: number, study?: string): number;
  /** How many transactions were committed since the last call. */
  commits(): number;
}

export function queueFixture(destinations: Destination[] = [destination('pacs')]): QueueFixture {
  const db = openDatabase(':memory:');
  const events = new GatewayEventBus();
  const updates: JobUpdated[] = [];
  events.on('job-updated', (u) => updates.push(u));
  const repo = new JobRepository(db);
  const routing = new RoutingRepository(db);
  routing.seedFromConfig(destinations, []);
  const insert = db.prepare(
    `INSERT INTO instances (sop_instance_uid, version, sop_class_uid, transfer_syntax_uid, study_instance_uid, path, size,
       dataset_offset, dataset_length, dataset_sha256, received_at) VALUES (?, 1, ?, ?, ?, ?, 1000, 200, 800, 'x', '2026-01-01T00:00:00Z')`,
  );
  let committed = 0;
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (sql === 'COMMIT') committed++;
    return exec(sql);
  };
  return {
    db,
    repo,
    routing,
    events,
    updates,
    transitions: new JobStateMachine(db, repo, events, silentLogger),
    instance: (n, study = '1.2.3') => Number(insert.run(`1.2.3.${n}`, CT, EXPLICIT_LE, study, `s/${n}.dcm`).lastInsertRowid),
    commits: () => {
      const n = committed;
      committed = 0;
      return n;
    },
  };
}
