-- When a dossier left the one-stop's hands (`Dossier::closed_at` in the domain): its
-- result returned, or it was refused, withdrawn or not accepted. The reports count a
-- period's dossiers as those open now plus those closed since the period began;
-- this column and its index make the second part an index range, not a scan of
-- the agency's whole history. The index holds every column the report reads, so
-- that a province-year (1.5 million dossiers) is read from the index alone, not
-- row by row from the table.
ALTER TABLE dossiers ADD COLUMN closed_at BIGINT;

UPDATE dossiers SET closed_at = CASE
    WHEN status = 'returned' THEN COALESCE(returned_at, updated_at)
    ELSE updated_at
END
WHERE status IN ('returned', 'rejected', 'withdrawn', 'not_accepted');

CREATE INDEX dossiers_closed ON dossiers
    (agency_id, closed_at, received_at, sector, channel, status, due_at, timeliness);
