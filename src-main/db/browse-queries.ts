/** Read-only queries behind the UI's lists: studies, instances, associations. */
import type { StatementSync } from 'node:sqlite';
import type { AssociationSummary, InstanceSubject, InstanceSummary, StudySummary } from '../api/contract.ts';
import { sopClassName } from '../dicom/sop-class-names.ts';
import type { Database } from './database.ts';

interface InstanceListRow {
  id: number;
  sop_instance_uid: string;
  sop_class_uid: string;
  version: number;
  transfer_syntax_uid: string;
  study_instance_uid: string | null;
  series_instance_uid: string | null;
  series_number: number | null;
  instance_number: number | null;
  modality: string | null;
  calling_ae: string | null;
  size: number;
  received_at: string;
  duplicate_count: number;
  encoding_note: string | null;
}

const INSTANCE_COLUMNS = `id, sop_instance_uid, sop_class_uid, version, transfer_syntax_uid, study_instance_uid, series_instance_uid,
  series_number, instance_number, modality, calling_ae, size, received_at, duplicate_count, encoding_note`;

export class BrowseQueries {
  private readonly s: Record<string, StatementSync>;

  constructor(db: Database) {
    this.s = {
      studies: db.prepare(
        `SELECT study_instance_uid, patient_name, patient_id, study_date, study_description, modalities,
                series_count, instance_count, bytes, last_received_at
         FROM studies WHERE study_instance_uid IS NOT NULL ORDER BY last_received_at DESC LIMIT ?`,
      ),
      study: db.prepare(
        `SELECT study_instance_uid, patient_name, patient_id, study_date, study_description, modalities,
                series_count, instance_count, bytes, last_received_at
         FROM studies WHERE study_instance_uid = ?`,
      ),
      instancesOfStudy: db.prepare(
        `SELECT ${INSTANCE_COLUMNS} FROM instances WHERE study_instance_uid = ?
         ORDER BY series_number, series_instance_uid, instance_number, id LIMIT ?`,
      ),
      versions: db.prepare(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE sop_instance_uid = ? ORDER BY version LIMIT ?`),
      recent: db.prepare(`SELECT ${INSTANCE_COLUMNS} FROM instances ORDER BY id DESC LIMIT ?`),
      subject: db.prepare(
        `SELECT id, patient_name, patient_id, study_date, study_description, modality, series_number, instance_number, sop_class_uid
         FROM instances WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      associations: db.prepare(
        `SELECT id AS associationId, calling_ae AS callingAe, called_ae AS calledAe, peer, started_at AS startedAt,
                ended_at AS endedAt, instances, bytes, result
         FROM associations ORDER BY id DESC LIMIT ?`,
      ),
    };
  }

  studies(limit = 500): StudySummary[] {
    return (this.s.studies!.all(limit) as Record<string, unknown>[]).map(studySummaryOf);
  }

  /** One study's summary; undefined when none of its instances is stored (any more). */
  study(studyInstanceUid: string): StudySummary | undefined {
    const row = this.s.study!.get(studyInstanceUid) as Record<string, unknown> | undefined;
    return row ? studySummaryOf(row) : undefined;
  }

  /** Instances of a study, every version of one SOP instance, or the most recent ones. */
  instances(filter: { studyInstanceUid?: string; sopInstanceUid?: string; limit?: number }): InstanceSummary[] {
    const limit = filter.limit ?? 1000;
    const rows = filter.sopInstanceUid
      ? this.s.versions!.all(filter.sopInstanceUid, limit)
      : filter.studyInstanceUid
        ? this.s.instancesOfStudy!.all(filter.studyInstanceUid, limit)
        : this.s.recent!.all(limit);
    return (rows as unknown as InstanceListRow[]).map((r) => ({
      instanceId: r.id,
      sopInstanceUid: r.sop_instance_uid,
      sopClassUid: r.sop_class_uid,
      sopClassName: sopClassName(r.sop_class_uid),
      version: r.version,
      transferSyntaxUid: r.transfer_syntax_uid,
      studyInstanceUid: r.study_instance_uid,
      seriesInstanceUid: r.series_instance_uid,
      seriesNumber: r.series_number,
      instanceNumber: r.instance_number,
      modality: r.modality,
      callingAe: r.calling_ae,
      bytes: r.size,
      receivedAt: r.received_at,
      duplicateCount: r.duplicate_count,
      encodingNote: r.encoding_note,
    }));
  }

  associations(limit = 200): AssociationSummary[] {
    return this.s.associations!.all(limit) as unknown as AssociationSummary[];
  }

  /** Whose images these instances are, by instance id: what a job row needs to name its patient and study. */
  subjects(instanceIds: readonly number[]): Map<number, InstanceSubject> {
    const subjects = new Map<number, InstanceSubject>();
    const unique = [...new Set(instanceIds)];
    for (let start = 0; start < unique.length; start += 1000) {
      const rows = this.s.subject!.all(JSON.stringify(unique.slice(start, start + 1000))) as Record<string, unknown>[];
      for (const r of rows) {
        subjects.set(r.id as number, {
          patientName: r.patient_name as string | null,
          patientId: r.patient_id as string | null,
          studyDate: r.study_date as string | null,
          studyDescription: r.study_description as string | null,
          modality: r.modality as string | null,
          seriesNumber: r.series_number as number | null,
          instanceNumber: r.instance_number as number | null,
          sopClassName: sopClassName(r.sop_class_uid as string),
        });
      }
    }
    return subjects;
  }
}

/** A row of the `studies` view as the UI's study summary (the studies browser adds to it). */
export function studySummaryOf(r: Record<string, unknown>): StudySummary {
  return {
    studyInstanceUid: r.study_instance_uid as string,
    patientName: r.patient_name as string | null,
    patientId: r.patient_id as string | null,
    studyDate: r.study_date as string | null,
    studyDescription: r.study_description as string | null,
    modalities: r.modalities as string | null,
    seriesCount: r.series_count as number,
    instanceCount: r.instance_count as number,
    bytes: r.bytes as number,
    lastReceivedAt: r.last_received_at as string,
  };
}
