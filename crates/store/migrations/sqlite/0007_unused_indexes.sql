-- No query reads dossiers by the applicant's ID number or by the instant of
-- receipt yet; an index nobody reads only costs writes and space (about 73 bytes
-- a dossier). The reports and registers that will need such a lookup add the
-- index their query uses, with it.
DROP INDEX dossiers_applicant_id;
DROP INDEX dossiers_received;
