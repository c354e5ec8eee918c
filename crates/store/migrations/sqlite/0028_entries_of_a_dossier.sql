-- Keep in step with ../postgres/0028_entries_of_a_dossier.sql.
-- A dossier's approval writes one entry in each register it names: a birth
-- combined with recognition of a parent (1.000689) writes one in the births'
-- register and one in the recognitions'. One entry per dossier and register.
DROP INDEX civil_entries_dossier;
CREATE UNIQUE INDEX civil_entries_dossier ON civil_entries (dossier_id, kind) WHERE dossier_id IS NOT NULL;
