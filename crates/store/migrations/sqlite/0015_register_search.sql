-- Keep this file and ../postgres/0015_register_search.sql identical, except that
-- SQLite keeps the prefix table WITHOUT ROWID (it is all key).
-- The registers' search structure (issue 11's figures): one table of name
-- prefixes instead of a folded-name index per column, so that an entry writes
-- one row per prefix into one structure and a name search is an equality on a
-- prefix read in Vietnamese order (no sort of every match before the first page).

-- Every prefix under which a name search finds an entry (`text::search_prefixes`
-- of the whole folded name, the given name and the other person's name: at each
-- word, its first character and its first three, with the words before it), and
-- the empty prefix under which every entry is listed. The entry's collation key
-- follows the prefix, so the rows of a prefix come in Vietnamese order.
-- No foreign key: the rows are written with their entry, in its transaction, and
-- checking one would cost an index probe per row.
CREATE TABLE civil_entry_names (
    agency_id TEXT NOT NULL,
    prefix TEXT NOT NULL,
    name_key TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (agency_id, prefix, name_key, entry_id)
) WITHOUT ROWID;

-- The entries already there: the same prefixes as the Rust code computes, in SQL
-- (word starts found by position; the folded names hold single spaces only).
-- backfill begins
INSERT INTO civil_entry_names (agency_id, prefix, name_key, entry_id)
WITH RECURSIVE pos (p) AS (
    SELECT 1 UNION ALL SELECT p + 1 FROM pos WHERE p < 400
),
terms (agency_id, name_key, entry_id, term) AS (
    SELECT agency_id, name_key, id, name_fold FROM civil_entries
    UNION ALL SELECT agency_id, name_key, id, given_fold FROM civil_entries
    UNION ALL SELECT agency_id, name_key, id, other_fold FROM civil_entries
        WHERE other_fold IS NOT NULL
),
starts (agency_id, name_key, entry_id, term, p) AS (
    SELECT t.agency_id, t.name_key, t.entry_id, t.term, pos.p
    FROM terms t JOIN pos ON pos.p <= length(t.term)
    WHERE substr(t.term, pos.p, 1) <> ' '
      AND (pos.p = 1 OR substr(t.term, pos.p - 1, 1) = ' ')
)
SELECT agency_id, '', name_key, id FROM civil_entries
UNION
SELECT agency_id, substr(term, 1, p), name_key, entry_id FROM starts
UNION
SELECT agency_id,
       CASE WHEN substr(term, p + 1, 1) = ' ' THEN substr(term, 1, p)
            WHEN substr(term, p + 2, 1) = ' ' THEN substr(term, 1, p + 1)
            ELSE substr(term, 1, p + 2) END,
       name_key, entry_id
FROM starts;
-- backfill ends

-- The indexes the prefix table replaces. Parents' names, the kind and the
-- registration year narrow a search as conditions on the entries it reads.
DROP INDEX civil_entries_name;
DROP INDEX civil_entries_given;
DROP INDEX civil_entries_other;
DROP INDEX civil_entries_sorted;
DROP INDEX civil_entries_mother;
DROP INDEX civil_entries_father;
-- Most entries (old registers) have no personal ID number: they need no row.
DROP INDEX civil_entries_personal_id;
CREATE INDEX civil_entries_personal_id ON civil_entries (agency_id, personal_id)
    WHERE personal_id IS NOT NULL;
