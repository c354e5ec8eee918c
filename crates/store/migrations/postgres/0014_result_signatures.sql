-- Dossier results signed by the leader who approved the dossier (issue 12): one
-- row per signed result file, so that reports can show the signing rate. A
-- result without a row was not signed (paper, or not a PDF). Keep this file and
-- its twin in ../sqlite or ../postgres identical.
-- No foreign key to dossier_files: the row is written in the same transaction,
-- just before the file row the write path inserts.
CREATE TABLE result_signatures (
    file_id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    signed_by TEXT NOT NULL REFERENCES users(id),
    signed_at BIGINT NOT NULL
);
CREATE INDEX result_signatures_dossier ON result_signatures (dossier_id);
CREATE INDEX result_signatures_agency ON result_signatures (agency_id, signed_at);
