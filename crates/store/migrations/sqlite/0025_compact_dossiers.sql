-- Keep in step with ../postgres/0025_compact_dossiers.sql.
-- Storage per dossier (issue 8), where `dbstat` put it at 100,000 generated
-- dossiers (2,780 bytes a dossier, of which worklist indexes ~290, the procedure's
-- name on every row ~205, the actor's name on every event ~140):
--
-- * The worklists, the overdue and due-soon lists and the reminder pass only ever
--   read open dossiers (or those ready and not reminded): their indexes now hold
--   those rows only, not every dossier ever returned. Their queries state the
--   same predicate (`is_open = 1`), which is what lets the planner use them.
-- * "Every dossier, newest first" pages by the dossier's number, an integer,
--   instead of its 36-character id.
-- * The procedure's name and an event's actor name are terms (`event_terms`), as
--   an event's ids, action and statuses already are: a row holds their number.
--   The chain's hash is still over the texts, so every chain verifies unchanged,
--   and the view `dossier_events` reads as before.
-- * The chain's head on the row is its 32 bytes, not 64 hex characters (events
--   keep their hashes as bytes since 0016).

DROP INDEX dossiers_worklist;
CREATE INDEX dossiers_worklist ON dossiers (agency_id, status, priority, due_at, id)
    WHERE is_open = 1;
DROP INDEX dossiers_assignee;
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status, priority, due_at, id)
    WHERE is_open = 1;
DROP INDEX dossiers_open_due;
CREATE INDEX dossiers_open_due ON dossiers (agency_id, due_at, id) WHERE is_open = 1;
-- Results not collected, in due order: a few rows an agency (without it the list
-- walked every open dossier of the agency in due order, looking for them).
CREATE INDEX dossiers_ready ON dossiers (agency_id, due_at, id) WHERE status = 'result_ready';
DROP INDEX dossiers_uncollected;
CREATE INDEX dossiers_uncollected ON dossiers (result_ready_at, id)
    WHERE status = 'result_ready' AND reminded_at IS NULL;
DROP INDEX dossiers_newest;
CREATE INDEX dossiers_newest ON dossiers (agency_id, no);

-- The new terms, numbered in the order of their texts.
INSERT INTO event_terms (value)
SELECT value FROM (
    SELECT actor_name AS value FROM dossier_event_rows
    UNION SELECT procedure_name FROM dossiers
) v WHERE NOT EXISTS (SELECT 1 FROM event_terms t WHERE t.value = v.value) ORDER BY value;

-- The procedure's name: its term's number. No foreign key: SQLite adds a column
-- with one only when it may be NULL, and the store writes the term first, in the
-- same transaction (`dossiers::insert`).
ALTER TABLE dossiers ADD COLUMN procedure_term BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET procedure_term = (SELECT t.no FROM event_terms t WHERE t.value = dossiers.procedure_name);
ALTER TABLE dossiers DROP COLUMN procedure_name;

ALTER TABLE dossiers ADD COLUMN last_hash_bytes BLOB NOT NULL DEFAULT x'';
UPDATE dossiers SET last_hash_bytes = unhex(last_hash);
ALTER TABLE dossiers DROP COLUMN last_hash;
ALTER TABLE dossiers RENAME COLUMN last_hash_bytes TO last_hash;

-- The events, with the actor's name as a number: the table rebuilt in key order.
DROP VIEW dossier_events;
CREATE TABLE dossier_event_rows_new (
    dossier_no BIGINT NOT NULL REFERENCES dossiers(no),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor BIGINT REFERENCES event_terms(no),
    agency BIGINT REFERENCES event_terms(no),
    action BIGINT NOT NULL REFERENCES event_terms(no),
    from_status BIGINT REFERENCES event_terms(no),
    to_status BIGINT NOT NULL REFERENCES event_terms(no),
    actor_name BIGINT NOT NULL REFERENCES event_terms(no),
    reason TEXT,
    -- What the change did (the domain's `Change`): JSON, deflated when large.
    data BLOB NOT NULL,
    -- SHA-256 over the previous event's hash and this event's fields (as text).
    hash BLOB NOT NULL,
    PRIMARY KEY (dossier_no, seq)
) WITHOUT ROWID;

INSERT INTO dossier_event_rows_new
SELECT e.dossier_no, e.seq, e.at, e.actor, e.agency, e.action, e.from_status, e.to_status,
       tn.no, e.reason, e.data, e.hash
FROM dossier_event_rows e JOIN event_terms tn ON tn.value = e.actor_name
ORDER BY e.dossier_no, e.seq;

DROP TABLE dossier_event_rows;
ALTER TABLE dossier_event_rows_new RENAME TO dossier_event_rows;

CREATE VIEW dossier_events AS
SELECT d.id AS dossier_id, e.seq, e.at, ta.value AS actor_id, tn.value AS actor_name,
       tg.value AS agency_id, tc.value AS action, tf.value AS from_status,
       tt.value AS to_status, e.reason, e.data, e.hash, e.dossier_no
FROM dossier_event_rows e
JOIN dossiers d ON d.no = e.dossier_no
LEFT JOIN event_terms ta ON ta.no = e.actor
JOIN event_terms tn ON tn.no = e.actor_name
LEFT JOIN event_terms tg ON tg.no = e.agency
JOIN event_terms tc ON tc.no = e.action
LEFT JOIN event_terms tf ON tf.no = e.from_status
JOIN event_terms tt ON tt.no = e.to_status;

CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_event_rows
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;

CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_event_rows
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;
