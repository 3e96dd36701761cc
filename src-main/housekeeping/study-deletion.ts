/**
 * Deleting a study: its index rows, its queue jobs (and their attempts) and its files. The rows go
 * first, in one transaction with the audit line, so a crash part-way leaves at worst files the
 * index no longer names (reclaimed by nothing worse than disk space), never rows naming missing files.
 * A study with an instance being forwarded right now is refused: its file is open on the wire.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeletedStudy } from '../api/contract.ts';
import { transaction, type Database } from '../db/database.ts';
import { GatewayError } from '../gateway-error.ts';
import type { AuditLog } from './audit-log.ts';

export class StudyBusyError extends GatewayError {
  constructor(study: string, sending: number) {
    super(
      'This study is being sent to a destination right now. Delete it when the queue has sent it.',
      `study ${study} is being forwarded now (${sending} instance(s) on the wire); try again when the queue has sent them`,
    );
    this.name = 'StudyBusyError';
  }
}

export class StudyNoLongerEligibleError extends Error {
  constructor(study: string) {
    super(`study ${study} changed since it was chosen for deletion`);
    this.name = 'StudyNoLongerEligibleError';
  }
}

export class UnknownStudyError extends GatewayError {
  constructor(study: string) {
    super('That study is no longer in the store.', `no stored study ${study}`);
    this.name = 'UnknownStudyError';
  }
}

interface StudyFacts {
  paths: string[];
  instances: number;
  bytes: number;
  patientName: string | null;
  patientId: string | null;
}

export async function deleteStudy(
  db: Database,
  audit: AuditLog,
  storeRoot: string,
  study: string,
  by: { actor: 'user' | 'retention'; reason: string; onlyIf?: (db: Database) => boolean },
): Promise<DeletedStudy> {
  const { facts, jobs } = transaction(db, () => {
    const found = studyFacts(db, study);
    if (found.instances === 0) throw new UnknownStudyError(study);
    const sending = (
      db.prepare(`SELECT count(*) AS n FROM jobs WHERE study_instance_uid = ? AND state = 'sending'`).get(study) as { n: number }
    ).n;
    if (sending > 0) throw new StudyBusyError(study, sending);
    // Checked again inside the transaction: an instance may have arrived since the caller decided.
    if (by.onlyIf && !by.onlyIf(db)) throw new StudyNoLongerEligibleError(study);
    const ids = `SELECT id FROM instances WHERE study_instance_uid = ?`;
    db.prepare(`DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM jobs WHERE instance_id IN (${ids}))`).run(study);
    const removedJobs = Number(db.prepare(`DELETE FROM jobs WHERE instance_id IN (${ids})`).run(study).changes);
    db.prepare(`DELETE FROM quiet_studies WHERE study_instance_uid = ?`).run(study);
    db.prepare(`DELETE FROM instances WHERE study_instance_uid = ?`).run(study);
    audit.record({
      at: new Date().toISOString(),
      action: 'deleted',
      actor: by.actor,
      target: null,
      studyInstanceUid: study,
      sopInstanceUid: null,
      patientName: found.patientName,
      patientId: found.patientId,
      instances: found.instances,
      bytes: found.bytes,
      detail: by.reason,
    });
    return { facts: found, jobs: removedJobs };
  });
  await removeFiles(storeRoot, facts.paths);
  return { studyInstanceUid: study, instances: facts.instances, bytes: facts.bytes, jobs };
}

function studyFacts(db: Database, study: string): StudyFacts {
  const rows = db.prepare(`SELECT path, size, patient_name, patient_id FROM instances WHERE study_instance_uid = ?`).all(study) as {
    path: string;
    size: number;
    patient_name: string | null;
    patient_id: string | null;
  }[];
  return {
    paths: rows.map((r) => r.path),
    instances: rows.length,
    bytes: rows.reduce((n, r) => n + r.size, 0),
    patientName: rows.find((r) => r.patient_name)?.patient_name ?? null,
    patientId: rows.find((r) => r.patient_id)?.patient_id ?? null,
  };
}

/**
 * Unlinks each file (one already gone is fine). The folders stay: the store remembers the folders
 * it has made, and a study sent again must find its folder where the store left it.
 */
async function removeFiles(root: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    await unlink(join(root, path)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
