/**
 * The retention rule: studies whose last instance arrived more than N days ago are deleted once
 * every forward they were routed to is finished (sent, or cancelled by a person). A study with a
 * job queued, retrying, sending or dead, or waiting for quiet, is kept: retention never throws
 * away images a destination has not got. Off unless a number of days is set.
 */
import type { RetentionRun, RetentionSettings } from '../api/contract.ts';
import type { Database } from '../db/database.ts';
import type { AuditLog } from './audit-log.ts';
import { deleteStudy, StudyBusyError, StudyNoLongerEligibleError } from './study-deletion.ts';

const SETTING_KEY = 'retentionDays';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A value saved in the UI (kept in the index) wins over the config file's. */
export function retentionSettings(db: Database, configDays: number | undefined): RetentionSettings {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(SETTING_KEY) as { value: string } | undefined;
  if (row) return { days: JSON.parse(row.value) as number | null, source: 'saved' };
  if (configDays !== undefined) return { days: configDays, source: 'config' };
  return { days: null, source: 'default' };
}

export function saveRetentionDays(db: Database, days: number | null): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    SETTING_KEY,
    JSON.stringify(days),
  );
}

/** Studies old enough to go, split into those fully forwarded and those still owed to a destination. */
export function retentionCandidates(
  db: Database,
  days: number,
  now: number,
  onlyStudy?: string,
): { eligible: string[]; keptUnforwarded: number } {
  const cutoff = new Date(now - days * DAY_MS).toISOString();
  const rows = db
    .prepare(
      `SELECT s.study_instance_uid AS study,
            EXISTS (SELECT 1 FROM jobs j WHERE j.study_instance_uid = s.study_instance_uid AND j.state NOT IN ('sent', 'cancelled'))
              OR EXISTS (SELECT 1 FROM quiet_studies q WHERE q.study_instance_uid = s.study_instance_uid) AS owed
     FROM (SELECT study_instance_uid, max(received_at) AS last FROM instances
           WHERE study_instance_uid IS NOT NULL AND (?2 IS NULL OR study_instance_uid = ?2) GROUP BY study_instance_uid) s
     WHERE s.last <= ?1 ORDER BY s.last`,
    )
    .all(cutoff, onlyStudy ?? null) as { study: string; owed: number }[];
  return { eligible: rows.filter((r) => !r.owed).map((r) => r.study), keptUnforwarded: rows.filter((r) => r.owed).length };
}

export async function runRetention(
  db: Database,
  audit: AuditLog,
  storeRoot: string,
  days: number,
  now = Date.now(),
): Promise<RetentionRun> {
  const { eligible, keptUnforwarded } = retentionCandidates(db, days, now);
  const run: RetentionRun = { ranAt: new Date(now).toISOString(), deleted: [], keptUnforwarded };
  for (const study of eligible) {
    try {
      run.deleted.push(
        await deleteStudy(db, audit, storeRoot, study, {
          actor: 'retention',
          reason: `older than ${days} day(s) and forwarded everywhere it was routed`,
          onlyIf: (tx) => retentionCandidates(tx, days, now, study).eligible.length === 1,
        }),
      );
    } catch (err) {
      // A study that received or started forwarding again since the query is simply kept until the next run.
      if (!(err instanceof StudyBusyError) && !(err instanceof StudyNoLongerEligibleError)) throw err;
      run.keptUnforwarded++;
    }
  }
  return run;
}
