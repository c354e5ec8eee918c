-- Campaigns (chiến dịch): a targeted drive of one agency, such as a ward's
-- re-registration of births, with the list of people it must reach (imported
-- from a spreadsheet). Progress is not stored: it is read from the dossiers of
-- the campaign's procedures as they are. Keep this file and its twin in
-- ../sqlite or ../postgres identical.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    -- Catalogue codes of the procedures whose dossiers count, one per line.
    procedures TEXT NOT NULL,
    -- Dossiers received from starts_on (YYYY-MM-DD) to ends_on inclusive count;
    -- no end: the campaign is open.
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    targets BIGINT NOT NULL,
    source_file TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT REFERENCES users(id)
);
CREATE INDEX campaigns_agency ON campaigns (agency_id, created_at);

-- The people a campaign reaches, in the order of the list (line: the
-- spreadsheet's row).
CREATE TABLE campaign_targets (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    line BIGINT NOT NULL,
    full_name TEXT NOT NULL,
    date_of_birth TEXT,
    personal_id TEXT,
    address TEXT,
    note TEXT,
    PRIMARY KEY (campaign_id, line)
);
