-- Storage per dossier, cut where it was measured (docs/benchmarks.md, issue 8).
--
-- 1. The intake is no longer stored twice. The dossier's `details` (applicant,
--    documents, post address…) are the fold of its events: the first event holds
--    the intake, a supplement request the missing documents, the return the
--    handover. The row keeps what lists, pages and reports select and sort by; the
--    store reads the details from the events.
-- The number of documents the intake declared stays on the row: the service
-- index (QĐ 766) compares it with the scanned files of every returned dossier.
ALTER TABLE dossiers ADD COLUMN documents BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET documents = COALESCE(json_array_length(details, '$.documents'), 0);
ALTER TABLE dossiers DROP COLUMN details;

-- 2. Events clustered by their key: a WITHOUT ROWID table stores each event once,
--    in (dossier_id, seq) order, with no second b-tree for the key (it was 433
--    bytes a dossier), and a dossier's events sit together, so the audit walk and
--    the history read them sequentially. Large `data` (the intake) is deflated by
--    the store (a leading 0x01 byte marks it); the chain's hash is over the JSON
--    text as before, so every chain verifies unchanged. Existing data is kept as
--    its UTF-8 bytes, which the store reads as they are.
DROP TRIGGER dossier_events_no_update;
DROP TRIGGER dossier_events_no_delete;
ALTER TABLE dossier_events RENAME TO dossier_events_old;

CREATE TABLE dossier_events (
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
    -- What the change did (the domain's `Change`): JSON, deflated when large.
    data BLOB NOT NULL,
    -- SHA-256 over the previous event's hash (hex) and this event's fields.
    hash BLOB NOT NULL,
    PRIMARY KEY (dossier_id, seq)
) WITHOUT ROWID;

INSERT INTO dossier_events
SELECT dossier_id, seq, at, actor_id, actor_name, agency_id, action, from_status, to_status,
       reason, CAST(data AS BLOB), hash
FROM dossier_events_old ORDER BY dossier_id, seq;

DROP TABLE dossier_events_old;

CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;

CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;
