-- The citizen's rating of a dossier's handling (NĐ 61/2018 art. 14): one per
-- dossier, given after its result by whoever holds its code and the applicant's
-- last digits. Scores as the decree counts them: 2, 1, 0. Keep this file and its
-- twin in ../sqlite or ../postgres identical.
CREATE TABLE ratings (
    dossier_id TEXT PRIMARY KEY REFERENCES dossiers(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    rated_at BIGINT NOT NULL,
    verdict BIGINT NOT NULL CHECK (verdict BETWEEN 0 AND 2),
    attitude BIGINT NOT NULL CHECK (attitude BETWEEN 0 AND 2),
    return_visits BIGINT NOT NULL CHECK (return_visits BETWEEN 0 AND 20),
    comment TEXT
);
-- The dashboard counts an agency's ratings of a period.
CREATE INDEX ratings_agency ON ratings (agency_id, rated_at);
