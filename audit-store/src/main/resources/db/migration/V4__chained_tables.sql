-- Airlock 0.2: every typed table carries the hash chain itself, and the writer COPYs rows straight into it.
-- The JSON journal lineage.record and its projection trigger cost more than everything else in a batch;
-- it stays, closed and append-only, so that records written before this migration remain verifiable.
--
-- A chained row: chain, seq, prev_hash, record_hash = sha256(prev_hash || canonical content of the row)
-- (docs/auditing.md). Rows projected from lineage.record before this migration have no chain columns.

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['policy_versions', 'session_starts', 'session_ends', 'actions', 'decisions', 'results',
                             'approval_requests', 'approval_votes', 'approval_state_changes'] LOOP
        EXECUTE format('ALTER TABLE lineage.%I ADD COLUMN chain text COLLATE "C", ADD COLUMN seq bigint,
                        ADD COLUMN prev_hash bytea, ADD COLUMN record_hash bytea', t);
        EXECUTE format('ALTER TABLE lineage.%I ADD CONSTRAINT %I CHECK (
                            (chain IS NULL) = (seq IS NULL) AND (seq IS NULL) = (prev_hash IS NULL)
                            AND (prev_hash IS NULL) = (record_hash IS NULL))', t, t || '_chained');
        -- the verifier walks each table in chain order; seq grows, so inserts land on the right edge
        EXECUTE format('CREATE INDEX %I ON lineage.%I (chain, seq)', t || '_chain_seq', t);
    END LOOP;
END $$;

-- One row per load of a policy (the same version loaded again is a new record of the chain).
ALTER TABLE lineage.policy_versions DROP CONSTRAINT policy_versions_pkey;
ALTER TABLE lineage.policy_versions ADD PRIMARY KEY (record_id);
CREATE INDEX policy_versions_hash ON lineage.policy_versions (hash);

-- Covered by the primary keys (action_id, at): every index is paid for on every insert.
DROP INDEX lineage.actions_id;
DROP INDEX lineage.decisions_id;
DROP INDEX lineage.results_id;
DROP INDEX lineage.record_id_idx;

-- The chain covers each action's links and the data objects they name (the verifier compares them with
-- the action's hash), so the per-row foreign key check, and the row lock it takes on the shared
-- data_objects row for every link, is not worth its cost.
ALTER TABLE lineage.action_objects DROP CONSTRAINT action_objects_object_id_fkey;

-- The writer queues OpenLineage events itself, in the same transaction, when export is configured.
DROP TRIGGER openlineage_outbox ON lineage.results;
DROP FUNCTION lineage.enqueue_openlineage();

-- lineage.record is closed: an Airlock from before 0.2 still writing to it must fail loudly.
DROP TRIGGER project ON lineage.record;
DROP FUNCTION lineage.project_records();

CREATE FUNCTION lineage.reject_legacy_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'lineage.record is the journal of Airlock before 0.2 and no longer takes records; upgrade every Airlock process that writes to this store'
        USING ERRCODE = 'object_not_in_prerequisite_state';
END $$;

CREATE TRIGGER closed BEFORE INSERT ON lineage.record
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_legacy_journal();

-- The state change of an approval request must not touch the chain columns either.
CREATE OR REPLACE FUNCTION lineage.guard_approval_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'lineage.approval_requests: DELETE rejected (append-only)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.state <> 'pending' OR NEW.state = 'pending'
       OR (OLD.request_id, OLD.record_id, OLD.at, OLD.action_id, OLD.action_digest, OLD.session_id, OLD.subject,
           OLD.chain_subjects, OLD.identity, OLD.connection, OLD.policy_version, OLD.profile, OLD.approvers,
           OLD.channels, OLD.summary, OLD.expires_at, OLD.chain, OLD.seq, OLD.prev_hash, OLD.record_hash)
          IS DISTINCT FROM
          (NEW.request_id, NEW.record_id, NEW.at, NEW.action_id, NEW.action_digest, NEW.session_id, NEW.subject,
           NEW.chain_subjects, NEW.identity, NEW.connection, NEW.policy_version, NEW.profile, NEW.approvers,
           NEW.channels, NEW.summary, NEW.expires_at, NEW.chain, NEW.seq, NEW.prev_hash, NEW.record_hash) THEN
        RAISE EXCEPTION 'lineage.approval_requests: only a pending -> terminal state change is allowed (% -> %)',
            OLD.state, NEW.state USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- Partitions ahead for the tables that still take rows (lineage.record keeps the ones it has).
CREATE OR REPLACE FUNCTION lineage.ensure_partitions(p_from timestamptz, p_to timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m       timestamptz := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    t       text;
    part    text;
    created integer := 0;
BEGIN
    WHILE m <= p_to LOOP
        FOREACH t IN ARRAY ARRAY['actions', 'decisions', 'action_objects', 'results'] LOOP
            part := t || '_' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM');
            IF to_regclass('lineage.' || part) IS NULL THEN
                EXECUTE format('CREATE TABLE lineage.%I PARTITION OF lineage.%I FOR VALUES FROM (%L) TO (%L)',
                               part, t, m, (m AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
                created := created + 1;
            END IF;
        END LOOP;
        m := (m AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
    END LOOP;
    RETURN created;
END $$;

-- Every record of every chain in one place, in the order verify walks them (ORDER BY chain, seq).
CREATE VIEW lineage.journal AS
SELECT chain, seq, 'policy_version'::text AS kind, record_id, at, record_hash FROM lineage.policy_versions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'session_start', record_id, at, record_hash FROM lineage.session_starts WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'session_end', record_id, at, record_hash FROM lineage.session_ends WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'action', record_id, at, record_hash FROM lineage.actions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'decision', record_id, at, record_hash FROM lineage.decisions WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'result', record_id, at, record_hash FROM lineage.results WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_request', record_id, at, record_hash FROM lineage.approval_requests WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_vote', record_id, at, record_hash FROM lineage.approval_votes WHERE seq IS NOT NULL
UNION ALL SELECT chain, seq, 'approval_state', record_id, at, record_hash FROM lineage.approval_state_changes WHERE seq IS NOT NULL
UNION ALL SELECT chain COLLATE "C", seq, kind, record_id, at, hash FROM lineage.record;
