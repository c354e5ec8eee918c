-- Dossiers, their append-only hash-chained events, files, the daily code sequence,
-- idempotency keys and the notification outbox.
-- Keep this file and ../postgres/0004_dossiers.sql in step: they differ only in the
-- append-only triggers on dossier_events.

-- The last sequence number handed out per agency and local day (yyMMdd).
CREATE TABLE dossier_sequences (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (agency_id, day)
);

-- The current state of each dossier: a projection of its events, kept in the same
-- transaction as the event that changes it.
CREATE TABLE dossiers (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    procedure_code TEXT NOT NULL,
    procedure_version BIGINT NOT NULL,
    procedure_name TEXT NOT NULL,
    sector TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    -- 1 while the dossier still needs work (not returned, rejected, withdrawn or refused).
    is_open BIGINT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_folded TEXT NOT NULL,
    applicant_id TEXT,
    applicant_phone TEXT,
    applicant_email TEXT,
    return_method TEXT NOT NULL,
    fee_amount BIGINT NOT NULL,
    fee_paid BIGINT NOT NULL,
    -- Everything else the intake recorded (full applicant, representative, documents,
    -- fee receipt, post address, fields kept from an import), as JSON.
    details TEXT NOT NULL,
    submitted_at BIGINT,
    received_at BIGINT,
    due_at BIGINT,
    original_due_at BIGINT,
    paused_at BIGINT,
    supplements BIGINT NOT NULL,
    extensions BIGINT NOT NULL,
    assignee_id TEXT REFERENCES users(id),
    approved_at BIGINT,
    result_ready_at BIGINT,
    returned_at BIGINT,
    timeliness TEXT,
    -- Same-day online dossiers are served first: 0 first, then 1.
    priority BIGINT NOT NULL,
    -- Bumped by every change; an update names the version it read (optimistic locking).
    version BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    reminded_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX dossiers_worklist ON dossiers (agency_id, status, priority, due_at, id);
CREATE INDEX dossiers_open_due ON dossiers (agency_id, is_open, due_at, id);
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status, priority, due_at, id);
CREATE INDEX dossiers_applicant_id ON dossiers (applicant_id);
CREATE INDEX dossiers_received ON dossiers (agency_id, received_at);
CREATE INDEX dossiers_newest ON dossiers (agency_id, id);
-- Results waiting for a citizen, for the reminder pass across every agency.
CREATE INDEX dossiers_uncollected ON dossiers (status, result_ready_at) WHERE reminded_at IS NULL;

CREATE TABLE dossier_events (
    id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    agency_id TEXT,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT,
    -- Action-specific facts (new due instant, assignee, tracking number…), JSON.
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (dossier_id, seq)
);

CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;

CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;

-- Scanned documents received and results issued; the bytes live in the blob store,
-- named by their SHA-256.
CREATE TABLE dossier_files (
    id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id, kind);

-- A client-chosen key per user: a repeated request answers with the first result.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Messages to send, written in the same transaction as the change they announce.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    dossier_id TEXT REFERENCES dossiers(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- pending, sent, logged (the log-only channel) or failed (retries exhausted)
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox (dossier_id);
