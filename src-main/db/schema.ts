/** Schema migrations, applied in order; `PRAGMA user_version` records how many have run. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE associations (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    calling_ae TEXT NOT NULL,
    called_ae TEXT NOT NULL,
    peer TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    instances INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    result TEXT
  );

  CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    sop_instance_uid TEXT NOT NULL,
    version INTEGER NOT NULL,
    sop_class_uid TEXT NOT NULL,
    transfer_syntax_uid TEXT NOT NULL,
    study_instance_uid TEXT,
    series_instance_uid TEXT,
    patient_name TEXT,
    patient_id TEXT,
    patient_birth_date TEXT,
    patient_sex TEXT,
    accession_number TEXT,
    study_date TEXT,
    study_time TEXT,
    study_description TEXT,
    series_number INTEGER,
    series_description TEXT,
    modality TEXT,
    instance_number INTEGER,
    number_of_frames INTEGER,
    specific_character_set TEXT,
    -- relative to the storage folder
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    dataset_offset INTEGER NOT NULL,
    dataset_length INTEGER NOT NULL,
    -- SHA-256 of the dataset bytes as they arrived, computed while they streamed in
    dataset_sha256 TEXT NOT NULL,
    received_at TEXT NOT NULL,
    association_id INTEGER REFERENCES associations(id),
    calling_ae TEXT,
    duplicate_count INTEGER NOT NULL DEFAULT 0,
    -- the temp file in .incoming/ this row was committed from; lets start-up finish an interrupted rename
    incoming_name TEXT,
    UNIQUE (sop_instance_uid, version)
  );
  CREATE INDEX instances_study ON instances (study_instance_uid, series_instance_uid);
  CREATE INDEX instances_incoming ON instances (incoming_name);

  CREATE VIEW series AS
    SELECT study_instance_uid, series_instance_uid,
           max(series_number) AS series_number, max(series_description) AS series_description,
           max(modality) AS modality, count(*) AS instance_count, sum(size) AS bytes,
           min(received_at) AS first_received_at, max(received_at) AS last_received_at
    FROM instances GROUP BY study_instance_uid, series_instance_uid;

  CREATE VIEW studies AS
    SELECT study_instance_uid,
           max(patient_name) AS patient_name, max(patient_id) AS patient_id,
           max(patient_birth_date) AS patient_birth_date, max(patient_sex) AS patient_sex,
           max(accession_number) AS accession_number, max(study_date) AS study_date,
           max(study_time) AS study_time, max(study_description) AS study_description,
           group_concat(DISTINCT modality) AS modalities,
           count(DISTINCT series_instance_uid) AS series_count, count(*) AS instance_count,
           sum(size) AS bytes, min(received_at) AS first_received_at, max(received_at) AS last_received_at
    FROM instances GROUP BY study_instance_uid;
  `,
];
