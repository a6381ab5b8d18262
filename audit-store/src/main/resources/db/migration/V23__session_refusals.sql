-- V23: agent connections refused before they became a session (rejected token, unknown connection, the gate unable
-- to verify or record). A chained record like every other (docs/auditing.md): chain, seq, prev_hash and record_hash
-- from the start, so every row is on a chain. Nothing in a row is verified: no identity is known, and connection and
-- client_program are what the client sent. The token itself is never stored.

CREATE TABLE lineage.session_refusals (
    record_id      uuid        PRIMARY KEY,
    at             timestamptz NOT NULL,
    listener       text        NOT NULL,  -- the listener the client reached
    connection     text,                  -- the Airlock connection asked for, as sent (may name none)
    protocol       text        NOT NULL,
    client_address text,
    client_program text,                  -- e.g. PostgreSQL application_name, unverified
    failure        text        NOT NULL,  -- authentication_failed, unknown_connection, unavailable, ...
    reason         text        NOT NULL,  -- the message the client got
    chain          text        COLLATE "C" NOT NULL,
    seq            bigint      NOT NULL,
    prev_hash      bytea       NOT NULL,
    record_hash    bytea       NOT NULL
);
CREATE INDEX session_refusals_at ON lineage.session_refusals (at);
CREATE INDEX session_refusals_chain_seq ON lineage.session_refusals (chain, seq);

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON lineage.session_refusals
    FOR EACH ROW EXECUTE FUNCTION lineage.reject_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON lineage.session_refusals
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_change();

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
UNION ALL SELECT chain, seq, 'session_refused', record_id, at, record_hash FROM lineage.session_refusals
UNION ALL SELECT chain COLLATE "C", seq, kind, record_id, at, hash FROM lineage.record;
