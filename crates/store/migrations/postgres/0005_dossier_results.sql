-- The dossier row is the fold of its events: the number of results attached is
-- one of the facts the fold keeps (the workflow needs one before "mark ready").
ALTER TABLE dossiers ADD COLUMN results BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET results = (
    SELECT COUNT(*) FROM dossier_files f WHERE f.dossier_id = dossiers.id AND f.kind = 'result'
);
-- `version` counts the dossier's events; older imports started it at 1.
UPDATE dossiers SET version = last_seq WHERE version <> last_seq AND last_seq > 0;
