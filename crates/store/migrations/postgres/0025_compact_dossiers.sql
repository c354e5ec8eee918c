-- Keep in step with ../sqlite/0025_compact_dossiers.sql (the reasons are there).
-- Worklist indexes over open dossiers only; "newest first" by the dossier's
-- number; the procedure's name and an event's actor name as terms; the chain's
-- head on the row as bytes.

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

ALTER TABLE dossiers ADD COLUMN procedure_term BIGINT;
UPDATE dossiers d SET procedure_term = t.no FROM event_terms t WHERE t.value = d.procedure_name;
ALTER TABLE dossiers ALTER COLUMN procedure_term SET NOT NULL;
ALTER TABLE dossiers ADD FOREIGN KEY (procedure_term) REFERENCES event_terms(no);
ALTER TABLE dossiers DROP COLUMN procedure_name;

ALTER TABLE dossiers ALTER COLUMN last_hash TYPE BYTEA USING decode(last_hash, 'hex');

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
    data BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    PRIMARY KEY (dossier_no, seq)
);

INSERT INTO dossier_event_rows_new
SELECT e.dossier_no, e.seq, e.at, e.actor, e.agency, e.action, e.from_status, e.to_status,
       tn.no, e.reason, e.data, e.hash
FROM dossier_event_rows e JOIN event_terms tn ON tn.value = e.actor_name
ORDER BY e.dossier_no, e.seq;

DROP TABLE dossier_event_rows;
ALTER TABLE dossier_event_rows_new RENAME TO dossier_event_rows;
ALTER TABLE dossier_event_rows RENAME CONSTRAINT dossier_event_rows_new_pkey TO dossier_event_rows_pkey;

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

CREATE TRIGGER dossier_events_append_only BEFORE UPDATE OR DELETE ON dossier_event_rows
    FOR EACH ROW EXECUTE FUNCTION forbid_dossier_event_change();
