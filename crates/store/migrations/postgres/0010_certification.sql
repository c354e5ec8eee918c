-- Certification (chứng thực): the books, their entries, and the issued documents
-- anyone can verify at /xac-minh/{token}. Keep this file and
-- ../sqlite/0010_certification.sql identical.

-- One book per agency, book symbol (SCT/BS, SCT/CK,ĐC, SCT/HĐ,GD), year and
-- volume. `last_number` is the book's gap-free sequence: it is raised by an
-- upsert … RETURNING inside the transaction that writes the entry, so two
-- counters never share a number and a rolled-back entry leaves no gap.
CREATE TABLE certification_books (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    book_code TEXT NOT NULL,
    book_year BIGINT NOT NULL,
    volume BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    closed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (agency_id, book_code, book_year, volume)
);

-- One certification. A request served on the spot has its book and number; one
-- that became an ordinary dossier (received after 15:00, or large) names the
-- dossier and gets its number when it is certified.
CREATE TABLE certification_entries (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    book_id TEXT REFERENCES certification_books(id),
    number BIGINT,
    signature_mode TEXT,
    requester_name TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    document_name TEXT NOT NULL,
    pages BIGINT NOT NULL,
    copies BIGINT NOT NULL,
    fee_total BIGINT NOT NULL,
    fee_lines TEXT NOT NULL,
    signer_id TEXT REFERENCES users(id),
    signer_title TEXT,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    disposition TEXT NOT NULL,
    dossier_id TEXT REFERENCES dossiers(id),
    issued_token TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (book_id, number),
    UNIQUE (dossier_id)
);
CREATE INDEX certification_entries_agency ON certification_entries (agency_id, created_at, kind);

-- Documents the agency issued, for public verification by an unguessable token:
-- certified copies, and later register extracts. `sha256` is the issued file's
-- hash when there is a file (an electronic copy); a paper statement has none.
CREATE TABLE issued_documents (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    number BIGINT,
    book TEXT,
    title TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL REFERENCES users(id),
    sha256 TEXT,
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users(id),
    revocation_reason TEXT
);
CREATE INDEX issued_documents_agency ON issued_documents (agency_id, issued_at);
