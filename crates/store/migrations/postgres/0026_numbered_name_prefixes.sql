-- Keep in step with ../sqlite/0026_numbered_name_prefixes.sql (the reasons are
-- there): the name-prefix rows name their agency and entry by number.

ALTER TABLE agencies ADD COLUMN no BIGINT;
CREATE SEQUENCE agencies_no_seq OWNED BY agencies.no;
-- Numbered in id order.
UPDATE agencies a SET no = n.no
FROM (SELECT id, nextval('agencies_no_seq') AS no FROM (SELECT id FROM agencies ORDER BY id) o) n
WHERE a.id = n.id;
ALTER TABLE agencies ALTER COLUMN no SET DEFAULT nextval('agencies_no_seq');
ALTER TABLE agencies ALTER COLUMN no SET NOT NULL;
CREATE UNIQUE INDEX agencies_no ON agencies (no);

-- The store takes an import's numbers from the sequence at once
-- (`registers::insert_entries`); the default is for any other writer.
ALTER TABLE civil_entries ADD COLUMN no BIGINT;
CREATE SEQUENCE civil_entries_no_seq OWNED BY civil_entries.no;
UPDATE civil_entries e SET no = n.no
FROM (SELECT id, nextval('civil_entries_no_seq') AS no FROM (SELECT id FROM civil_entries ORDER BY id) o) n
WHERE e.id = n.id;
ALTER TABLE civil_entries ALTER COLUMN no SET DEFAULT nextval('civil_entries_no_seq');
ALTER TABLE civil_entries ALTER COLUMN no SET NOT NULL;
CREATE UNIQUE INDEX civil_entries_no ON civil_entries (no);

-- The prefix rows rebuilt with the numbers (a test runs this part again on
-- rows written as 0015 wrote them).
-- rebuild begins
CREATE TABLE civil_entry_names_numbered (
    agency_no BIGINT NOT NULL,
    prefix TEXT NOT NULL,
    name_key TEXT NOT NULL,
    entry_no BIGINT NOT NULL,
    CONSTRAINT civil_entry_names_numbered_pkey PRIMARY KEY (agency_no, prefix, name_key, entry_no)
);
INSERT INTO civil_entry_names_numbered (agency_no, prefix, name_key, entry_no)
SELECT a.no, n.prefix, n.name_key, e.no
FROM civil_entry_names n
JOIN agencies a ON a.id = n.agency_id
JOIN civil_entries e ON e.id = n.entry_id
ORDER BY a.no, n.prefix, n.name_key, e.no;
DROP TABLE civil_entry_names;
ALTER TABLE civil_entry_names_numbered RENAME TO civil_entry_names;
ALTER TABLE civil_entry_names RENAME CONSTRAINT civil_entry_names_numbered_pkey TO civil_entry_names_pkey;
-- rebuild ends
