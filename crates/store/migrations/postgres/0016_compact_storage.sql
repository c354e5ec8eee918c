-- Storage per dossier, cut where it was measured (docs/benchmarks.md, issue 8).
-- Keep in step with ../sqlite/0016_compact_storage.sql.
--
-- 1. The intake is no longer stored twice: the dossier's `details` are the fold of
--    its events (the first event holds the intake); the row keeps what lists,
--    pages and reports select and sort by.
-- The number of documents the intake declared stays on the row: the service
-- index (QĐ 766) compares it with the scanned files of every returned dossier.
ALTER TABLE dossiers ADD COLUMN documents BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET documents = CASE WHEN json_typeof(CAST(details AS json) -> 'documents') = 'array' THEN json_array_length(CAST(details AS json) -> 'documents') ELSE 0 END;
ALTER TABLE dossiers DROP COLUMN details;

-- 2. Large event `data` (the intake, about 1 KB, below PostgreSQL's own 2 KB
--    compression threshold) is deflated by the store, marked by a leading 0x01
--    byte; the chain's hash is over the JSON text as before. Existing data is kept
--    as its UTF-8 bytes, which the store reads as they are. (The table is rewritten;
--    row triggers do not fire for it.)
ALTER TABLE dossier_events ALTER COLUMN data TYPE BYTEA USING convert_to(data, 'UTF8');
