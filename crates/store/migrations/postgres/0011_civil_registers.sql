-- Civil-status registers: books per agency, kind and year; entries numbered within
-- their book; dated notes of change, correction and supplement.
-- Keep this file and ../sqlite/0011_civil_registers.sql identical.

-- A book (quyển) of an agency's register of a kind for a year. `last_number` is
-- the book's sequence: raised by an upsert inside the transaction that writes the
-- entry, so numbers are unique and a rolled-back entry leaves no gap.
CREATE TABLE civil_books (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    label TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    closed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    UNIQUE (agency_id, kind, year, label)
);

-- An entry: its original values as JSON (`fields`), never rewritten; the columns
-- after it are derived from its current values (original + notes) for searching.
-- Names are folded (`text::fold`) for matching and keyed (`text::collation_key`)
-- for Vietnamese order; dates are YYYY-MM-DD text.
CREATE TABLE civil_entries (
    id TEXT PRIMARY KEY,
    book_id TEXT NOT NULL REFERENCES civil_books(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    re_registration BIGINT NOT NULL DEFAULT 0,
    number BIGINT NOT NULL,
    registered_on TEXT NOT NULL,
    registration_year BIGINT NOT NULL,
    fields TEXT NOT NULL,
    display_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    given_fold TEXT NOT NULL,
    name_key TEXT NOT NULL,
    other_fold TEXT,
    date_of_birth TEXT,
    birth_year BIGINT,
    personal_id TEXT,
    mother_fold TEXT,
    father_fold TEXT,
    notes BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    dossier_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (book_id, number)
);

-- Name search: a prefix of the whole folded name, or of the given name, or of the
-- other person's name; results in Vietnamese order.
CREATE INDEX civil_entries_name ON civil_entries (agency_id, name_fold, name_key);
CREATE INDEX civil_entries_given ON civil_entries (agency_id, given_fold, name_key);
CREATE INDEX civil_entries_other ON civil_entries (agency_id, other_fold);
-- Browsing a register in Vietnamese order, keyset-paged.
CREATE INDEX civil_entries_sorted ON civil_entries (agency_id, name_key, id);
-- Year of birth alone, or the day (its year is the first column's value).
CREATE INDEX civil_entries_born ON civil_entries (agency_id, birth_year, date_of_birth);
CREATE INDEX civil_entries_personal_id ON civil_entries (agency_id, personal_id);
CREATE INDEX civil_entries_mother ON civil_entries (agency_id, mother_fold);
CREATE INDEX civil_entries_father ON civil_entries (agency_id, father_fold);

CREATE TABLE civil_entry_notes (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES civil_entries(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    noted_on TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT NOT NULL,
    basis TEXT,
    dossier_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    UNIQUE (entry_id, seq)
);
