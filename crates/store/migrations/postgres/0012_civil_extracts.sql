-- Civil-status extracts (trích lục) as issued documents, and register entries
-- written by the approval of a dossier. Keep this file and
-- ../sqlite/0012_civil_extracts.sql identical.

-- An extract names its entry and what the public verification page shows to
-- compare it with the paper: the registrant's name and date of birth (YYYY-MM-DD),
-- as they were on the day of issue, and the number of copies.
ALTER TABLE issued_documents ADD COLUMN civil_entry_id TEXT REFERENCES civil_entries(id);
ALTER TABLE issued_documents ADD COLUMN subject_name TEXT;
ALTER TABLE issued_documents ADD COLUMN subject_born TEXT;
ALTER TABLE issued_documents ADD COLUMN copies BIGINT;
CREATE INDEX issued_documents_civil_entry ON issued_documents (civil_entry_id);

-- A dossier writes at most one entry (its approval), and finds it again; a
-- correction dossier finds the note it added.
CREATE UNIQUE INDEX civil_entries_dossier ON civil_entries (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE INDEX civil_entry_notes_dossier ON civil_entry_notes (dossier_id);
