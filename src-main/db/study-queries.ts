/**
 * The studies browser's queries: search stored studies by what a person remembers (patient, date,
 * modality, accession, who sent it), open one to its series, and the store's disk usage. Read only;
 * everything comes from the index, so the history survives restarts.
 */
import { studySummaryOf } from './browse-queries.ts';
import type { StatementSync } from 'node:sqlite';
import type { SeriesSummary, StorageUsage, StudyRecord, StudySearch } from '../api/contract.ts';
import type { Database } from './database.ts';

const STUDY_COLUMNS = `study_instance_uid, patient_name, patient_id, patient_birth_date, patient_sex, accession_number,
  study_date, study_description, modalities, series_count, instance_count, bytes, first_received_at, last_received_at`;

/** A LIKE pattern for a person's search text: `*` and `?` as wildcards, % and _ taken literally. */
export function likePattern(text: string): string {
  const escaped = text
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
  return `%${escaped}%`;
}

/** "2026-03-15" or "20260315" as the DA form the index holds. */
function daValue(date: string): string {
  return date.replace(/-/g, '');
}

export class StudyQueries {
  private readonly db: Database;
  private readonly s: Record<string, StatementSync>;

  constructor(db: Database) {
    this.db = db;
    this.s = {
      series: db.prepare(
        `SELECT series_instance_uid, series_number, series_description, modality, instance_count, bytes, last_received_at
         FROM series WHERE study_instance_uid = ? ORDER BY series_number, series_instance_uid`,
      ),
      // The middle instance of a series makes its thumbnail: for a CT, a slice through the body, not its first edge.
      middleInstance: db.prepare(
        `SELECT id FROM instances WHERE study_instance_uid = ? AND series_instance_uid IS ?
         ORDER BY instance_number, id LIMIT 1 OFFSET ?`,
      ),
      callingAes: db.prepare(
        `SELECT DISTINCT calling_ae FROM instances WHERE study_instance_uid = ? AND calling_ae IS NOT NULL ORDER BY calling_ae`,
      ),
      totals: db.prepare(
        `SELECT count(DISTINCT study_instance_uid) AS studies, count(*) AS instances, coalesce(sum(size), 0) AS bytes FROM instances`,
      ),
    };
  }

  search(filter: StudySearch): StudyRecord[] {
    const where: string[] = ['study_instance_uid IS NOT NULL'];
    const params: (string | number)[] = [];
    if (filter.patient?.trim()) {
      // PN components are separated by ^; a person types "smith john".
      where.push(
        `(lower(replace(coalesce(patient_name, ''), '^', ' ')) LIKE ? ESCAPE '\\' OR lower(coalesce(patient_id, '')) LIKE ? ESCAPE '\\')`,
      );
      const pattern = likePattern(filter.patient.replace(/\^/g, ' '));
      params.push(pattern, pattern);
    }
    if (filter.dateFrom) {
      where.push('study_date >= ?');
      params.push(daValue(filter.dateFrom));
    }
    if (filter.dateTo) {
      where.push('study_date <= ?');
      params.push(daValue(filter.dateTo));
    }
    if (filter.modality?.trim()) {
      where.push(`(',' || coalesce(modalities, '') || ',') LIKE ?`);
      params.push(`%,${filter.modality.trim().toUpperCase()},%`);
    }
    if (filter.accession?.trim()) {
      where.push(`lower(coalesce(accession_number, '')) LIKE ? ESCAPE '\\'`);
      params.push(likePattern(filter.accession));
    }
    if (filter.callingAe?.trim()) {
      where.push(`study_instance_uid IN (SELECT study_instance_uid FROM instances WHERE upper(calling_ae) = ?)`);
      params.push(filter.callingAe.trim().toUpperCase());
    }
    params.push(filter.limit ?? 500);
    const rows = this.db
      .prepare(`SELECT ${STUDY_COLUMNS} FROM studies WHERE ${where.join(' AND ')} ORDER BY last_received_at DESC LIMIT ?`)
      .all(...params) as Record<string, unknown>[];
    return rows.map((r) => this.studyRecord(r));
  }

  private studyRecord(r: Record<string, unknown>): StudyRecord {
    const study = r.study_instance_uid as string;
    return {
      ...studySummaryOf(r),
      patientBirthDate: r.patient_birth_date as string | null,
      patientSex: r.patient_sex as string | null,
      accessionNumber: r.accession_number as string | null,
      firstReceivedAt: r.first_received_at as string,
      callingAes: (this.s.callingAes!.all(study) as { calling_ae: string }[]).map((a) => a.calling_ae),
    };
  }

  series(studyInstanceUid: string): SeriesSummary[] {
    return (this.s.series!.all(studyInstanceUid) as Record<string, unknown>[]).map((r) => {
      const count = r.instance_count as number;
      const middle = this.s.middleInstance!.get(studyInstanceUid, r.series_instance_uid as string | null, Math.floor((count - 1) / 2)) as
        { id: number } | undefined;
      return {
        studyInstanceUid,
        seriesInstanceUid: r.series_instance_uid as string | null,
        seriesNumber: r.series_number as number | null,
        seriesDescription: r.series_description as string | null,
        modality: r.modality as string | null,
        instanceCount: count,
        bytes: r.bytes as number,
        lastReceivedAt: r.last_received_at as string,
        thumbnailInstanceId: middle?.id ?? null,
      };
    });
  }

  totals(): Omit<StorageUsage, 'diskFreeBytes' | 'diskTotalBytes' | 'storage'> {
    const t = this.s.totals!.get() as { studies: number; instances: number; bytes: number };
    return { studies: t.studies, instances: t.instances, bytes: t.bytes };
  }
}
