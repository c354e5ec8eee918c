-- The working calendar as data, and the procedure catalogue with versions.

-- Special days: a day off, a holiday, a weekend opened for work. `scope` is '' for
-- the national layer or an agency id; agencies inherit their ancestors' layers.
CREATE TABLE calendar_days (
    scope TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('working', 'weekend', 'holiday', 'day_off', 'makeup_working')),
    name TEXT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (scope, day)
);

-- Working sessions of an agency (JSON), when it differs from its parent's.
CREATE TABLE agency_sessions (
    agency_id TEXT PRIMARY KEY REFERENCES agencies (id),
    sessions TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE procedures (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL REFERENCES sectors (code),
    level TEXT NOT NULL,
    online TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX procedures_sector ON procedures (sector, name);

-- Every edit is a new version; a dossier keeps the version it was received under.
CREATE TABLE procedure_versions (
    code TEXT NOT NULL REFERENCES procedures (code),
    version BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- Which agencies perform which procedures.
CREATE TABLE agency_procedures (
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    code TEXT NOT NULL REFERENCES procedures (code),
    PRIMARY KEY (agency_id, code)
);
CREATE INDEX agency_procedures_code ON agency_procedures (code);
