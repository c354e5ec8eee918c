-- Events stored compactly: keyed by (dossier_id, seq), no separate event id, no
-- copy of the previous event's hash (the audit walk takes it from the previous
-- event), the hash as its 32 bytes rather than 64 hex characters. The hash itself
-- is computed as before, so existing chains verify. (ALTER … TYPE rewrites the
-- table, which also gives back the dropped columns' space; row triggers do not
-- fire for it.)
ALTER TABLE dossier_events DROP COLUMN id;
ALTER TABLE dossier_events DROP COLUMN prev_hash;
ALTER TABLE dossier_events DROP CONSTRAINT dossier_events_dossier_id_seq_key;
ALTER TABLE dossier_events ALTER COLUMN hash TYPE BYTEA USING decode(hash, 'hex');
ALTER TABLE dossier_events ADD PRIMARY KEY (dossier_id, seq);
