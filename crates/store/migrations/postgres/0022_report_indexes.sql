-- The dashboard of a province-year (1.5 million dossiers) read its trends, its time
-- per procedure and its share of results signed digitally from table rows (the
-- channel of each dossier received, the procedure of each dossier returned) and
-- from a join of each returned dossier to its files and their signatures. The
-- dossier row now counts its signed results (`Dossier::signed_results`, the fold of
-- its `attach_result` events), and both indexes hold every column those figures
-- read, so they are read from the index alone, as II.06a is. The procedure's name
-- comes from the catalogue, not from each row. Keep this file and its twin in
-- ../sqlite or ../postgres identical.
--
-- Results signed before this migration stay at 0: their events did not say so, and
-- the row must stay the fold of its events (`motcua audit verify`). Their
-- signatures are still listed on the dossier page (`result_signatures`).
ALTER TABLE dossiers ADD COLUMN signed_results BIGINT NOT NULL DEFAULT 0;

-- Migration 0007 dropped the (agency_id, received_at) index as unused; the
-- dashboard's trends and the tracking book (form 07) read by receipt since.
CREATE INDEX dossiers_received ON dossiers (agency_id, received_at, channel);

DROP INDEX dossiers_closed;
CREATE INDEX dossiers_closed ON dossiers
    (agency_id, closed_at, received_at, sector, channel, status, due_at, timeliness,
     procedure_code, results, signed_results);
