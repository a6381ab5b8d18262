-- Approvals module (V20+ are the approvals module's): what the approval service keeps beyond
-- lineage.approval_requests / approval_votes, which the audit-store ApprovalStore writes.
-- All append-only, like the rest of the lineage.

-- The request as the approval service made it: profile snapshot (eligibility and quorum as they were
-- when asked), requester identity incl. the delegation chain's emails, card fields, owning replica.
CREATE TABLE lineage.approval_details (
    request_id    uuid        PRIMARY KEY REFERENCES lineage.approval_requests,
    at            timestamptz NOT NULL DEFAULT now(),
    owner         text        NOT NULL,
    requester_key text        NOT NULL,
    detail        jsonb       NOT NULL
);
CREATE INDEX approval_details_requester ON lineage.approval_details (requester_key);

-- The voter's email next to lineage.approval_votes.voter (the subject), for cards and auditors.
CREATE TABLE lineage.approval_voters (
    vote_id uuid PRIMARY KEY REFERENCES lineage.approval_votes,
    email   text
);

-- Where each channel posted a request (e.g. Slack channel id / ts), so any replica can update it.
CREATE TABLE lineage.approval_deliveries (
    delivery_id bigserial   PRIMARY KEY,
    request_id  uuid        NOT NULL REFERENCES lineage.approval_requests,
    at          timestamptz NOT NULL DEFAULT now(),
    channel     text        NOT NULL,
    ref         text        NOT NULL
);
CREATE INDEX approval_deliveries_request ON lineage.approval_deliveries (request_id);

-- Refused vote attempts: who tried, where, and why it did not count.
CREATE TABLE lineage.approval_refusals (
    refusal_id bigserial   PRIMARY KEY,
    request_id uuid        NOT NULL REFERENCES lineage.approval_requests,
    at         timestamptz NOT NULL,
    voter      text        NOT NULL,
    email      text,
    channel    text        NOT NULL,
    vote       text        NOT NULL CHECK (vote IN ('approve', 'deny')),
    rejection  text        NOT NULL
);
CREATE INDEX approval_refusals_request ON lineage.approval_refusals (request_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['approval_details', 'approval_voters', 'approval_deliveries', 'approval_refusals'] LOOP
        EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON lineage.%I
                        FOR EACH ROW EXECUTE FUNCTION lineage.reject_change()', t);
        EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON lineage.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_change()', t);
    END LOOP;
END $$;
