-- Keep in step with ../postgres/0026_numbered_name_prefixes.sql.
-- The name-prefix rows (issue 11) name their agency and entry by number, not by
-- two 36-character ids. An entry writes about nine of them, so they were two
-- thirds of a register's size (about 1.9 KB an entry at 10 million entries) and
-- most of an import's writing: with numbers a row is half as long, and a search
-- reads its entries by a short key.

-- A number for each agency, as `dossiers.no` (0024): the next at every insert.
ALTER TABLE agencies ADD COLUMN no BIGINT NOT NULL DEFAULT 0;
UPDATE agencies SET no = rowid;
CREATE UNIQUE INDEX agencies_no ON agencies (no);
CREATE TRIGGER agencies_number AFTER INSERT ON agencies WHEN NEW.no = 0
BEGIN
    UPDATE agencies SET no = (SELECT MAX(no) FROM agencies) + 1 WHERE rowid = NEW.rowid;
END;

-- A number for each entry. The store numbers the entries it inserts itself
-- (`registers::insert_entries`, a whole import at once); the trigger is for any
-- other writer.
ALTER TABLE civil_entries ADD COLUMN no BIGINT NOT NULL DEFAULT 0;
UPDATE civil_entries SET no = rowid;
CREATE UNIQUE INDEX civil_entries_no ON civil_entries (no);
CREATE TRIGGER civil_entries_number AFTER INSERT ON civil_entries WHEN NEW.no = 0
BEGIN
    UPDATE civil_entries SET no = (SELECT MAX(no) FROM civil_entries) + 1
    WHERE rowid = NEW.rowid;
END;

-- The prefix rows rebuilt with the numbers (a test runs this part again on
-- rows written as 0015 wrote them).
-- rebuild begins
CREATE TABLE civil_entry_names_numbered (
    agency_no BIGINT NOT NULL,
    prefix TEXT NOT NULL,
    name_key TEXT NOT NULL,
    entry_no BIGINT NOT NULL,
    PRIMARY KEY (agency_no, prefix, name_key, entry_no)
) WITHOUT ROWID;
INSERT INTO civil_entry_names_numbered (agency_no, prefix, name_key, entry_no)
SELECT a.no, n.prefix, n.name_key, e.no
FROM civil_entry_names n
JOIN agencies a ON a.id = n.agency_id
JOIN civil_entries e ON e.id = n.entry_id
ORDER BY a.no, n.prefix, n.name_key, e.no;
DROP TABLE civil_entry_names;
ALTER TABLE civil_entry_names_numbered RENAME TO civil_entry_names;
-- rebuild ends
