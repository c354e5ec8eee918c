-- Foundation: agencies, users, roles, sectors, sessions, API tokens, audit log.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); ids are UUIDv7 text.
-- Keep this file and ../postgres/0001_foundation.sql in step: they differ only where
-- the engines must (collation of paths, the append-only triggers).

CREATE TABLE agency_levels (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    rank BIGINT NOT NULL
);

INSERT INTO agency_levels (code, name, rank) VALUES
    ('province', 'Tỉnh, thành phố trực thuộc trung ương', 1),
    ('district', 'Huyện, quận, thị xã, thành phố thuộc tỉnh', 2),
    ('commune', 'Xã, phường, đặc khu', 3);

CREATE TABLE agencies (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL REFERENCES agency_levels (code),
    parent_id TEXT REFERENCES agencies (id),
    path TEXT NOT NULL UNIQUE,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE sectors (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    failed_logins BIGINT NOT NULL DEFAULT 0,
    last_failed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_agency ON users (agency_id, username);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('counter_officer', 'specialist', 'leader', 'supervisor', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_sectors (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sector_code TEXT NOT NULL REFERENCES sectors (code),
    PRIMARY KEY (user_id, sector_code)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT,
    actor_username TEXT NOT NULL,
    agency_id TEXT,
    ip TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
