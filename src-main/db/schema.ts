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
  `
  CREATE TABLE destinations (
    name TEXT PRIMARY KEY,
    ae_title TEXT NOT NULL,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    calling_ae TEXT,
    max_pdu_length INTEGER NOT NULL,
    connect_timeout_ms INTEGER NOT NULL,
    dimse_timeout_ms INTEGER NOT NULL,
    max_associations INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    allow_transcoding INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );

  -- Ordered rules; the definition is the JSON of a Rule (routing-types.ts).
  CREATE TABLE rules (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    definition TEXT NOT NULL
  );

  -- One job per (instance version, destination): the forward queue.
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    destination TEXT NOT NULL,
    rule TEXT,
    study_instance_uid TEXT,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'retry-wait', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- epoch milliseconds
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    last_status INTEGER,
    failure_kind TEXT,
    -- how many times the destination acknowledged it (more than 1 only after a crash or a manual resend)
    deliveries INTEGER NOT NULL DEFAULT 0,
    -- SHA-256 of the dataset bytes put on the wire to this destination (the digest chain's last hop)
    sent_sha256 TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (instance_id, destination)
  );
  CREATE INDEX jobs_due ON jobs (destination, state, next_attempt_at);

  CREATE TABLE job_attempts (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    failure_kind TEXT,
    -- the wait chosen before the next attempt (null when none follows)
    backoff_ms INTEGER
  );
  CREATE INDEX job_attempts_job ON job_attempts (job_id);

  -- Studies waiting for quiet before a study-quiet rule forwards them whole.
  CREATE TABLE quiet_studies (
    study_instance_uid TEXT NOT NULL,
    rule TEXT NOT NULL,
    destination TEXT NOT NULL,
    last_received_at INTEGER NOT NULL,
    quiet_ms INTEGER NOT NULL,
    PRIMARY KEY (study_instance_uid, rule, destination)
  );
  `,
  `
  -- Settings changed from the UI (desktop app); JSON values.
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  -- The receive journal's place (store/journal.ts): every journal record with lsn <= applied_lsn is
  -- in the index (rows, duplicate counts, routing jobs), committed in the same transaction as this
  -- row, so replay after a crash neither repeats nor skips one. synced_at changes at every index
  -- sync, before journal space is reused.
  CREATE TABLE journal_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    applied_lsn INTEGER NOT NULL,
    synced_at TEXT
  );
  INSERT INTO journal_state (id, applied_lsn) VALUES (1, 0);
  `,
  `
  -- DICOM TLS settings of a destination (JSON of DestinationTls); null: plain TCP.
  ALTER TABLE destinations ADD COLUMN tls TEXT;
  `,
  `
  -- Who sent what to whom and when: append-only, kept after the instances it names are deleted.
  CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('received', 'forwarded', 'sent', 'deleted')),
    -- who: the calling AE of a sender, 'user' or 'retention' for a deletion, the gateway for a send
    actor TEXT NOT NULL,
    -- to whom: our AE for a receipt, the destination (or AE@host:port) for a forward or a send
    target TEXT,
    study_instance_uid TEXT,
    sop_instance_uid TEXT,
    patient_name TEXT,
    patient_id TEXT,
    instances INTEGER NOT NULL DEFAULT 1,
    bytes INTEGER,
    detail TEXT
  );
  CREATE INDEX audit_events_at ON audit_events (at);
  CREATE INDEX instances_received ON instances (received_at);

  -- Receipts and forwards are recorded by the index itself, in the transaction that makes them true:
  -- no extra disk sync, and no receipt or delivery without its audit line.
  CREATE TRIGGER audit_received AFTER INSERT ON instances BEGIN
    INSERT INTO audit_events (at, action, actor, target, study_instance_uid, sop_instance_uid, patient_name, patient_id, instances, bytes, detail)
    VALUES (NEW.received_at, 'received', coalesce(NEW.calling_ae, '(no AE title)'),
            (SELECT called_ae FROM associations WHERE id = NEW.association_id),
            NEW.study_instance_uid, NEW.sop_instance_uid, NEW.patient_name, NEW.patient_id, 1, NEW.size,
            CASE WHEN NEW.version > 1 THEN 'version ' || NEW.version ELSE NULL END);
  END;

  CREATE TRIGGER audit_forwarded AFTER UPDATE OF state ON jobs WHEN NEW.state = 'sent' AND OLD.state <> 'sent' BEGIN
    INSERT INTO audit_events (at, action, actor, target, study_instance_uid, sop_instance_uid, patient_name, patient_id, instances, bytes, detail)
    SELECT coalesce(NEW.sent_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), 'forwarded',
           coalesce((SELECT calling_ae FROM destinations WHERE name = NEW.destination), 'gateway'), NEW.destination,
           i.study_instance_uid, i.sop_instance_uid, i.patient_name, i.patient_id, 1, i.size,
           CASE WHEN NEW.rule IS NOT NULL THEN 'rule ' || NEW.rule ELSE 'forwarded on request' END
    FROM instances i WHERE i.id = NEW.instance_id;
  END;
  `,
  `
  -- A retry by hand (or a re-queue) gives a job a fresh attempt budget but keeps its history:
  -- attempts stays the total, and the budget counts only the attempts after this many.
  ALTER TABLE jobs ADD COLUMN attempts_at_retry INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Stored byte-exact although its encoding contradicts its transfer syntax (as DCMTK storescp +B
  -- keeps such datasets): what the index-field reader found, for the UI to show; null: consistent.
  ALTER TABLE instances ADD COLUMN encoding_note TEXT;
  `,
  `
  -- The transfer syntax a job's dataset was converted to and sent in (the destination allows
  -- transcoding and refused the file's own); null: sent as stored, byte for byte.
  ALTER TABLE jobs ADD COLUMN sent_transfer_syntax_uid TEXT;
  `,
  `
  -- The jobs waiting for their turn, in the order they are due: the queue reads the first few
  -- without sorting every waiting job, and without a LIMIT parameter (SQLite recompiles a
  -- statement each time its LIMIT is bound: 50 us a call, on every pump of the queue).
  CREATE INDEX jobs_waiting ON jobs (destination, next_attempt_at) WHERE state IN ('queued', 'retry-wait');
  `,
];
