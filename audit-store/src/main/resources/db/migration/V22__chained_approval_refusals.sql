-- Approvals module (V22): refused votes and refused deliveries are chained rows of their own tables, like every
-- other record since V4 (docs/auditing.md): each new row carries chain, seq, prev_hash, record_hash and its hash
-- covers every column. Rows written before (V21 put them in the closed journal lineage.record as kinds
-- approval_refusal and approval_interaction_rejected) have no chain columns and are verified through that journal.
-- Runs after V4 and V21 whichever order they were applied in (a store at V21 gets V4 out of order first).

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['approval_refusals', 'approval_rejected_interactions'] LOOP
        EXECUTE format('ALTER TABLE lineage.%I ADD COLUMN chain text COLLATE "C", ADD COLUMN seq bigint,
                        ADD COLUMN prev_hash bytea, ADD COLUMN record_hash bytea', t);
        EXECUTE format('ALTER TABLE lineage.%I ADD CONSTRAINT %I CHECK (
                            (chain IS NULL) = (seq IS NULL) AND (seq IS NULL) = (prev_hash IS NULL)
                            AND (prev_hash IS NULL) = (record_hash IS NULL))', t, t || '_chained');
        EXECUTE format('CREATE INDEX %I ON lineage.%I (chain, seq)', t || '_chain_seq', t);
    END LOOP;
END $$;

-- Refusals recorded before V21 have no record (record_id is null; they were never on a chain). Every refusal from
-- now on has one: NOT VALID checks new rows only, so those old rows stay as they are.
ALTER TABLE lineage.approval_refusals ADD CONSTRAINT approval_refusals_record_id CHECK (record_id IS NOT NULL) NOT VALID;
CREATE UNIQUE INDEX approval_refusals_record ON lineage.approval_refusals (record_id);

-- Every record of every chain in one place, in the order verify walks them (ORDER BY chain, seq).
CREATE OR REPLACE VIEW lineage.journal AS
SELECT chain, seq, 'policy_version'::text AS kind, record_id, at, record_hash FROM lineage.policy_versions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'session_start', record_id, at, record_hash FROM lineage.session_starts WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'session_end', record_id, at, record_hash FROM lineage.session_ends WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'action', record_id, at, record_hash FROM lineage.actions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'decision', record_id, at, record_hash FROM lineage.decisions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'result', record_id, at, record_hash FROM lineage.results WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_request', record_id, at, record_hash FROM lineage.approval_requests WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_vote', record_id, at, record_hash FROM lineage.approval_votes WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_state', record_id, at, record_hash FROM lineage.approval_state_changes WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_refusal', record_id, at, record_hash FROM lineage.approval_refusals WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_interaction_rejected', record_id, at, record_hash
          FROM lineage.approval_rejected_interactions WHERE seq IS NOT NULL
UNION ALL SELECT chain COLLATE "C", seq, kind, record_id, at, hash FROM lineage.record;
