-- Keep in step with ../postgres/0024_event_references.sql.
-- Storage per dossier (issue 8): an event names its dossier, its actor, its
-- agency, its action and two statuses. They were text, ~140 bytes of an event's
-- ~350 (three 36-character ids): now numbers.
--
-- * `dossiers.no`: a dossier's number, given at insert (by the trigger below),
--   never changed. Events refer to their dossier by it.
-- * `event_terms`: each text that events repeat (an actor's or agency's id, an
--   action, a status), once. The store numbers a term inside the transaction
--   that first uses it; a term is never changed or removed.
-- * `dossier_event_rows`: the events as stored. The chain's hash is still over
--   the texts, so every chain verifies unchanged.
-- * `dossier_events`: a view with the events' texts, as the table was. Every
--   reader (the store, reports, a person at an SQL prompt) reads it; the store
--   writes `dossier_event_rows` (an insert into the view is refused).

ALTER TABLE dossiers ADD COLUMN no BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET no = rowid;
CREATE UNIQUE INDEX dossiers_no ON dossiers (no);
-- The next number at every insert (writers take turns on SQLite). Not the rowid
-- itself: VACUUM may renumber rowids, never a stored column.
CREATE TRIGGER dossiers_number AFTER INSERT ON dossiers WHEN NEW.no = 0
BEGIN
    UPDATE dossiers SET no = (SELECT MAX(no) FROM dossiers) + 1 WHERE rowid = NEW.rowid;
END;

CREATE TABLE event_terms (
    no INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);

INSERT INTO event_terms (value)
SELECT value FROM (
    SELECT actor_id AS value FROM dossier_events
    UNION SELECT agency_id FROM dossier_events
    UNION SELECT action FROM dossier_events
    UNION SELECT from_status FROM dossier_events
    UNION SELECT to_status FROM dossier_events
) WHERE value IS NOT NULL ORDER BY value;

-- The numbers first (they are what a row is mostly made of), then the texts.
CREATE TABLE dossier_event_rows (
    dossier_no BIGINT NOT NULL REFERENCES dossiers(no),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor BIGINT REFERENCES event_terms(no),
    agency BIGINT REFERENCES event_terms(no),
    action BIGINT NOT NULL REFERENCES event_terms(no),
    from_status BIGINT REFERENCES event_terms(no),
    to_status BIGINT NOT NULL REFERENCES event_terms(no),
    actor_name TEXT NOT NULL,
    reason TEXT,
    -- What the change did (the domain's `Change`): JSON, deflated when large.
    data BLOB NOT NULL,
    -- SHA-256 over the previous event's hash and this event's fields (as text).
    hash BLOB NOT NULL,
    PRIMARY KEY (dossier_no, seq)
) WITHOUT ROWID;

INSERT INTO dossier_event_rows
SELECT d.no, e.seq, e.at, ta.no, tg.no, tc.no, tf.no, tt.no, e.actor_name, e.reason, e.data, e.hash
FROM dossier_events e
JOIN dossiers d ON d.id = e.dossier_id
LEFT JOIN event_terms ta ON ta.value = e.actor_id
LEFT JOIN event_terms tg ON tg.value = e.agency_id
JOIN event_terms tc ON tc.value = e.action
LEFT JOIN event_terms tf ON tf.value = e.from_status
JOIN event_terms tt ON tt.value = e.to_status
ORDER BY d.no, e.seq;

DROP TRIGGER dossier_events_no_update;
DROP TRIGGER dossier_events_no_delete;
DROP TABLE dossier_events;

CREATE VIEW dossier_events AS
SELECT d.id AS dossier_id, e.seq, e.at, ta.value AS actor_id, e.actor_name,
       tg.value AS agency_id, tc.value AS action, tf.value AS from_status,
       tt.value AS to_status, e.reason, e.data, e.hash, e.dossier_no
FROM dossier_event_rows e
JOIN dossiers d ON d.no = e.dossier_no
LEFT JOIN event_terms ta ON ta.no = e.actor
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

CREATE TRIGGER event_terms_no_update BEFORE UPDATE ON event_terms
BEGIN
    SELECT RAISE(ABORT, 'event_terms is append-only');
END;

CREATE TRIGGER event_terms_no_delete BEFORE DELETE ON event_terms
BEGIN
    SELECT RAISE(ABORT, 'event_terms is append-only');
END;
