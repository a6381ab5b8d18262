-- Approvals module (V21): the voter's email on the vote itself (projected from the journal body like the
-- other columns), refused votes linked to their journal record, and chat deliveries refused before they
-- reached a request (bad signature, stale timestamp, replay, wrong app or workspace). All on the hash chain.

ALTER TABLE lineage.approval_votes ADD COLUMN voter_email text;

ALTER TABLE lineage.approval_refusals ADD COLUMN record_id uuid;

CREATE TABLE lineage.approval_rejected_interactions (
    record_id    uuid        PRIMARY KEY,
    at           timestamptz NOT NULL,
    channel      text        NOT NULL,  -- e.g. slack-http, slack-socket-mode, web
    reason       text        NOT NULL,  -- what was wrong, as the sender was told
    request_id   text,                  -- the request the delivery named, unverified (may be garbage)
    claimed_user text,                  -- the user the delivery named, unverified
    remote       text,                  -- the peer address, when known
    body_digest  text                   -- SHA-256 of the raw delivery, hex
);
CREATE INDEX approval_rejected_interactions_at ON lineage.approval_rejected_interactions (at);

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON lineage.approval_rejected_interactions
    FOR EACH ROW EXECUTE FUNCTION lineage.reject_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON lineage.approval_rejected_interactions
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_change();
