/**
 * The audit trail: who sent what to whom and when. Receipts and forwards are written by triggers in
 * the index (schema.ts), sends and deletions here; rows are only ever added. Searchable and
 * exportable as CSV for whoever asks "where did this patient's images go?".
 */
import type { StatementSync } from 'node:sqlite';
import type { AuditEvent, AuditSearch } from '../api/contract.ts';
import type { Database } from '../db/database.ts';
import { likePattern } from '../db/study-queries.ts';

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

const SEARCHED_COLUMNS = ['actor', 'target', 'study_instance_uid', 'sop_instance_uid', 'patient_name', 'patient_id', 'detail'];
/** The table's columns under the contract's names: a row read with these is an AuditEvent. */
const EVENT_COLUMNS = `id, at, action, actor, target, study_instance_uid AS studyInstanceUid, sop_instance_uid AS sopInstanceUid,
  patient_name AS patientName, patient_id AS patientId, instances, bytes, detail`;
const CSV_COLUMNS: (keyof AuditEvent)[] = [
  'at',
  'action',
  'actor',
  'target',
  'patientName',
  'patientId',
  'studyInstanceUid',
  'sopInstanceUid',
  'instances',
  'bytes',
  'detail',
];

export class AuditLog {
  private readonly db: Database;
  private readonly insert: StatementSync;

  constructor(db: Database) {
    this.db = db;
    this.insert = db.prepare(
      `INSERT INTO audit_events (at, action, actor, target, study_instance_uid, sop_instance_uid, patient_name, patient_id, instances, bytes, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  record(e: NewAuditEvent): void {
    this.insert.run(
      e.at,
      e.action,
      e.actor,
      e.target,
      e.studyInstanceUid,
      e.sopInstanceUid,
      e.patientName,
      e.patientId,
      e.instances,
      e.bytes,
      e.detail,
    );
  }

  /** Newest first. */
  search(filter: AuditSearch): AuditEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.text?.trim()) {
      const pattern = likePattern(filter.text.replace(/\^/g, ' '));
      where.push(`(${SEARCHED_COLUMNS.map((c) => `lower(replace(coalesce(${c}, ''), '^', ' ')) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
      params.push(...SEARCHED_COLUMNS.map(() => pattern));
    }
    if (filter.action) {
      where.push('action = ?');
      params.push(filter.action);
    }
    if (filter.from) {
      where.push('at >= ?');
      params.push(filter.from);
    }
    if (filter.to) {
      // A bare date includes the whole of that day.
      where.push('at <= ?');
      params.push(/^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59.999Z` : filter.to);
    }
    params.push(filter.limit ?? 1000);
    const sql = `SELECT ${EVENT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params) as unknown as AuditEvent[];
  }

  csv(filter: AuditSearch): { csv: string; rows: number } {
    const events = this.search({ ...filter, limit: filter.limit ?? 100_000 });
    const lines = [CSV_COLUMNS.join(',')];
    for (const e of events) lines.push(CSV_COLUMNS.map((c) => csvField(e[c])).join(','));
    return { csv: `${lines.join('\r\n')}\r\n`, rows: events.length };
  }
}

/** RFC 4180: quoted when it holds a comma, quote or line break; a leading =+-@ is quoted too, so a spreadsheet never runs it as a formula. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
