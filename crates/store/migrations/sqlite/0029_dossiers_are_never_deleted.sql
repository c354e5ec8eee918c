-- Keep in step with ../postgres/0029_dossiers_are_never_deleted.sql.
-- A dossier row is the projection of events that are never deleted: deleting
-- the row would leave its history without a dossier (and lose what the citizen
-- was told). Nothing in motcua deletes one; the database refuses it too.
CREATE TRIGGER dossiers_no_delete BEFORE DELETE ON dossiers
BEGIN
    SELECT RAISE(ABORT, 'dossiers are never deleted');
END;
