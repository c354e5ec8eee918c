-- The QĐ 766 service index of a province-year (1.5 million dossiers) looked up the
-- files of every returned dossier to tell whether its documents were scanned, and
-- read each dossier's row for its supplement requests and for its id (matched
-- against the "not satisfied" ratings). The row now counts its scanned documents,
-- the closed dossiers' covering index holds every column the index's predicates
-- read, and the few "not satisfied" ratings have an index of their own, so the
-- index is counted from indexes alone, as II.06a is. Keep this file and its twin in
-- ../sqlite or ../postgres identical.
--
-- `scanned_documents` is not the fold of events (files are not events): the write
-- path adds the document files it stores with the dossier, and
-- `motcua audit verify` compares it with the files.
ALTER TABLE dossiers ADD COLUMN scanned_documents BIGINT NOT NULL DEFAULT 0;
UPDATE dossiers SET scanned_documents =
    (SELECT COUNT(*) FROM dossier_files f WHERE f.dossier_id = dossiers.id AND f.kind = 'document')
    WHERE id IN (SELECT dossier_id FROM dossier_files WHERE kind = 'document');

DROP INDEX dossiers_closed;
CREATE INDEX dossiers_closed ON dossiers
    (agency_id, closed_at, received_at, sector, channel, status, due_at, timeliness,
     procedure_code, results, signed_results, supplements, documents, scanned_documents);

CREATE INDEX ratings_dissatisfied ON ratings (agency_id, dossier_id) WHERE verdict = 0;

-- The dossiers that cost the most points are, in practice, late ones: a few percent
-- of a period's dossiers, found here instead of among every row
-- (`service_index::costliest_receipts`). The predicate is the one the query states.
CREATE INDEX dossiers_late ON dossiers
    (agency_id, closed_at, received_at, sector, channel, status, due_at, timeliness,
     procedure_code, results, supplements, documents, scanned_documents)
    WHERE (timeliness = 'late' OR timeliness IS NULL OR supplements > 1);
