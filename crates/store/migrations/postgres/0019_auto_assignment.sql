-- Automatic assignment at intake (issue 10): an agency's rule per sector. With
-- rule 'sole_specialist' a dossier received at the counter is assigned at once
-- when exactly one active specialist of the agency holds its sector; with
-- 'default_assignee' it goes to `assignee_id` while that person is an active
-- specialist there. No row: the counter or a leader assigns, as before. Keep this
-- file and its twin in ../sqlite or ../postgres identical.
CREATE TABLE auto_assignments (
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    sector_code TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('sole_specialist', 'default_assignee')),
    assignee_id TEXT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (agency_id, sector_code)
);
