/** Reads and writes of the index tables, as prepared statements made once. */
import type { StatementSync } from 'node:sqlite';
import type { IndexFields } from '../dicom/index-fields.ts';
import type { Database } from './database.ts';

export interface NewAssociation {
  direction: 'inbound' | 'outbound';
  callingAe: string;
  calledAe: string;
  peer: string;
  startedAt: string;
}

export interface NewInstance {
  /** Chosen by the store when the instance is journaled, so replay inserts the very same row. */
  id: number;
  sopInstanceUid: string;
  version: number;
  sopClassUid: string;
  transferSyntaxUid: string;
  fields: IndexFields;
  path: string;
  size: number;
  datasetOffset: number;
  datasetLength: number;
  datasetSha256: string;
  receivedAt: string;
  associationId: number | null;
  callingAe: string | null;
  incomingName: string | null;
}

export interface InstanceVersion {
  id: number;
  version: number;
  sopClassUid: string;
  transferSyntaxUid: string;
  datasetSha256: string;
  path: string;
}

export interface InstanceRow {
  id: number;
  sop_instance_uid: string;
  version: number;
  sop_class_uid: string;
  transfer_syntax_uid: string;
  study_instance_uid: string | null;
  series_instance_uid: string | null;
  path: string;
  size: number;
  dataset_offset: number;
  dataset_length: number;
  dataset_sha256: string;
  duplicate_count: number;
  incoming_name: string | null;
  encoding_note: string | null;
  [column: string]: unknown;
}

export class IndexRepository {
  private readonly statements: Record<string, StatementSync>;
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
    this.statements = {
      openAssociation: db.prepare(`INSERT INTO associations (direction, calling_ae, called_ae, peer, started_at) VALUES (?, ?, ?, ?, ?)`),
      closeAssociation: db.prepare(`UPDATE associations SET ended_at = ?, instances = ?, bytes = ?, result = ? WHERE id = ?`),
      versions: db.prepare(
        `SELECT id, version, sop_class_uid AS sopClassUid, transfer_syntax_uid AS transferSyntaxUid,
                dataset_sha256 AS datasetSha256, path
         FROM instances WHERE sop_instance_uid = ? ORDER BY version`,
      ),
      insertInstance: db.prepare(
        `INSERT INTO instances (
           id, sop_instance_uid, version, sop_class_uid, transfer_syntax_uid, study_instance_uid, series_instance_uid,
           patient_name, patient_id, patient_birth_date, patient_sex, accession_number, study_date, study_time,
           study_description, series_number, series_description, modality, instance_number, number_of_frames,
           specific_character_set, path, size, dataset_offset, dataset_length, dataset_sha256, received_at,
           association_id, calling_ae, incoming_name, encoding_note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      countDuplicate: db.prepare(`UPDATE instances SET duplicate_count = duplicate_count + 1 WHERE id = ?`),
      byIncomingName: db.prepare(`SELECT * FROM instances WHERE incoming_name = ?`),
      byId: db.prepare(`SELECT * FROM instances WHERE id = ?`),
      exists: db.prepare(`SELECT 1 AS found FROM instances WHERE id = ?`),
      maxId: db.prepare(`SELECT coalesce(max(id), 0) AS id FROM instances`),
      appliedLsn: db.prepare(`SELECT applied_lsn AS lsn FROM journal_state WHERE id = 1`),
      setAppliedLsn: db.prepare(`UPDATE journal_state SET applied_lsn = ? WHERE id = 1`),
    };
  }

  /**
   * Records an inbound or outbound association. Bookkeeping only: when the index cannot be written
   * (disk full) it returns null rather than throw into a socket handler, which would end the process.
   */
  openAssociation(a: NewAssociation): number | null {
    try {
      const result = this.statements.openAssociation!.run(a.direction, a.callingAe, a.calledAe, a.peer, a.startedAt);
      return Number(result.lastInsertRowid);
    } catch (err) {
      this.bookkeepingFailed('open', err);
      return null;
    }
  }

  /** Bookkeeping only, like openAssociation: never throws. */
  closeAssociation(id: number, endedAt: string, instances: number, bytes: number, result: string): void {
    try {
      this.statements.closeAssociation!.run(endedAt, instances, bytes, result, id);
    } catch (err) {
      this.bookkeepingFailed(`close ${id}`, err);
    }
  }

  /** Called with what association bookkeeping could not write (the gateway logs it). */
  onBookkeepingError: (what: string, err: Error) => void = () => undefined;

  private bookkeepingFailed(what: string, err: unknown): void {
    this.onBookkeepingError(`association ${what}`, err as Error);
  }

  versionsOf(sopInstanceUid: string): InstanceVersion[] {
    return this.statements.versions!.all(sopInstanceUid) as unknown as InstanceVersion[];
  }

  insertInstance(i: NewInstance): number {
    const f = i.fields;
    const result = this.statements.insertInstance!.run(
      i.id,
      i.sopInstanceUid,
      i.version,
      i.sopClassUid,
      i.transferSyntaxUid,
      f.studyInstanceUid ?? null,
      f.seriesInstanceUid ?? null,
      f.patientName ?? null,
      f.patientId ?? null,
      f.patientBirthDate ?? null,
      f.patientSex ?? null,
      f.accessionNumber ?? null,
      f.studyDate ?? null,
      f.studyTime ?? null,
      f.studyDescription ?? null,
      f.seriesNumber ?? null,
      f.seriesDescription ?? null,
      f.modality ?? null,
      f.instanceNumber ?? null,
      f.numberOfFrames ?? null,
      f.specificCharacterSet ?? null,
      i.path,
      i.size,
      i.datasetOffset,
      i.datasetLength,
      i.datasetSha256,
      i.receivedAt,
      i.associationId,
      i.callingAe,
      i.incomingName,
      f.encodingMismatch ?? null,
    );
    return Number(result.lastInsertRowid);
  }

  countDuplicate(instanceId: number): void {
    this.statements.countDuplicate!.run(instanceId);
  }

  instanceExists(id: number): boolean {
    return this.statements.exists!.get(id) !== undefined;
  }

  maxInstanceId(): number {
    return (this.statements.maxId!.get() as { id: number }).id;
  }

  /** Every journal record up to this lsn is in the index (store/journal.ts). */
  appliedLsn(): number {
    return (this.statements.appliedLsn!.get() as { lsn: number }).lsn;
  }

  setAppliedLsn(lsn: number): void {
    this.statements.setAppliedLsn!.run(lsn);
  }

  instanceByIncomingName(name: string): InstanceRow | undefined {
    return this.statements.byIncomingName!.get(name) as InstanceRow | undefined;
  }

  instanceById(id: number): InstanceRow | undefined {
    return this.statements.byId!.get(id) as InstanceRow | undefined;
  }

  get database(): Database {
    return this.db;
  }
}
