-- Airlock lineage store: the journal (hash chain), typed projections, append-only guards.
-- Every fact enters through lineage.record; a statement trigger projects it into the typed tables.


-- The journal. One row per fact, chained: hash = sha256(prev_hash || canonical content).
CREATE TABLE lineage.record (
    chain      text        NOT NULL,
    seq        bigint      NOT NULL,
    record_id  uuid        NOT NULL,
    kind       text        NOT NULL,
    at         timestamptz NOT NULL,
    body       text        NOT NULL,
    prev_hash  bytea       NOT NULL,
    hash       bytea       NOT NULL,
    UNIQUE (record_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX record_chain_seq ON lineage.record (chain, seq);
CREATE INDEX record_id_idx ON lineage.record (record_id);

-- The tip of each chain; lets writers on several replicas extend one chain and lets verify detect a deleted tail.
CREATE TABLE lineage.chain_head (
    chain text        PRIMARY KEY,
    seq   bigint      NOT NULL,
    hash  bytea       NOT NULL,
    at    timestamptz NOT NULL
);

CREATE TABLE lineage.policy_versions (
    hash      text        PRIMARY KEY,
    record_id uuid        NOT NULL,
    at        timestamptz NOT NULL,
    source    text        NOT NULL,
    loaded_at timestamptz NOT NULL
);

CREATE TABLE lineage.session_starts (
    session_id     uuid        PRIMARY KEY,
    record_id      uuid        NOT NULL,
    at             timestamptz NOT NULL,
    issuer         text        NOT NULL,
    subject        text        NOT NULL,
    email          text,
    groups         text[]      NOT NULL,
    actors         jsonb       NOT NULL,
    acting_subject text        NOT NULL,
    claims         jsonb       NOT NULL,
    connection     text        NOT NULL,
    protocol       text        NOT NULL,
    client_address text,
    client_program text,
    started_at     timestamptz NOT NULL
);
CREATE INDEX session_starts_subject ON lineage.session_starts (subject);

CREATE TABLE lineage.session_ends (
    session_id uuid        PRIMARY KEY,
    record_id  uuid        NOT NULL,
    at         timestamptz NOT NULL,
    ended_at   timestamptz NOT NULL,
    reason     text
);

CREATE TABLE lineage.actions (
    action_id         uuid        NOT NULL,
    record_id         uuid        NOT NULL,
    at                timestamptz NOT NULL,
    session_id        uuid        NOT NULL,
    connection        text        NOT NULL,
    protocol          text        NOT NULL,
    summary           text        NOT NULL,
    text              text,
    argv              text[],
    method            text,
    path              text,
    action_digest     text        NOT NULL,
    fingerprint       text,
    parameters_digest text,
    kind              text,
    PRIMARY KEY (action_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX actions_session ON lineage.actions (session_id);
CREATE INDEX actions_id ON lineage.actions (action_id);

CREATE TABLE lineage.decisions (
    action_id        uuid        NOT NULL,
    record_id        uuid        NOT NULL,
    at               timestamptz NOT NULL,
    effect           text        NOT NULL CHECK (effect IN ('ALLOW', 'REQUIRE_APPROVAL', 'DENY')),
    approval_profile text,
    rule_ids         text[]      NOT NULL,
    reason_codes     text[]      NOT NULL,
    explanation      text,
    hint             text,
    policy_version   text        NOT NULL,
    dry_run          boolean     NOT NULL,
    dry_run_outcomes jsonb       NOT NULL,
    PRIMARY KEY (action_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX decisions_id ON lineage.decisions (action_id);

CREATE TABLE lineage.data_objects (
    object_id   uuid PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('table', 'path', 'route')),
    connection  text NOT NULL,
    schema_name text,
    table_name  text,
    host        text,
    path        text,
    method      text,
    route       text,
    display     text NOT NULL
);
CREATE INDEX data_objects_display ON lineage.data_objects (display);
CREATE INDEX data_objects_table ON lineage.data_objects (table_name);

CREATE TABLE lineage.action_objects (
    action_id uuid        NOT NULL,
    object_id uuid        NOT NULL REFERENCES lineage.data_objects,
    access    text        NOT NULL CHECK (access IN ('read', 'write', 'export')),
    at        timestamptz NOT NULL,
    PRIMARY KEY (action_id, object_id, access, at)
) PARTITION BY RANGE (at);
CREATE INDEX action_objects_object ON lineage.action_objects (object_id, at);

CREATE TABLE lineage.results (
    action_id   uuid        NOT NULL,
    record_id   uuid        NOT NULL,
    at          timestamptz NOT NULL,
    rows        bigint,
    duration_us bigint      NOT NULL,
    error_class text,
    error_message text,
    PRIMARY KEY (action_id, at)
) PARTITION BY RANGE (at);
CREATE INDEX results_id ON lineage.results (action_id);

-- Approval requests: the one table with a mutable column. state moves once, pending -> terminal,
-- by compare-and-set; every move is also a journal record projected into approval_state_changes.
CREATE TABLE lineage.approval_requests (
    request_id       uuid        PRIMARY KEY,
    record_id        uuid        NOT NULL,
    at               timestamptz NOT NULL,
    action_id        uuid,
    action_digest    text        NOT NULL,
    session_id       uuid,
    subject          text        NOT NULL,
    chain_subjects   text[]      NOT NULL,
    identity         jsonb       NOT NULL,
    connection       text        NOT NULL,
    policy_version   text        NOT NULL,
    profile          text        NOT NULL,
    approvers        jsonb       NOT NULL,
    channels         text[]      NOT NULL,
    summary          text        NOT NULL,
    expires_at       timestamptz NOT NULL,
    state            text        NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    state_changed_at timestamptz,
    decided_by       text,
    decided_channel  text,
    decided_reason   text
);
CREATE INDEX approval_requests_pending ON lineage.approval_requests (expires_at) WHERE state = 'pending';

CREATE TABLE lineage.approval_votes (
    vote_id    uuid        PRIMARY KEY,
    record_id  uuid        NOT NULL,
    at         timestamptz NOT NULL,
    request_id uuid        NOT NULL REFERENCES lineage.approval_requests,
    voter      text        NOT NULL,
    vote       text        NOT NULL CHECK (vote IN ('approve', 'deny')),
    channel    text        NOT NULL,
    reason     text
);
CREATE INDEX approval_votes_request ON lineage.approval_votes (request_id);

CREATE TABLE lineage.approval_state_changes (
    record_id  uuid        PRIMARY KEY,
    at         timestamptz NOT NULL,
    request_id uuid        NOT NULL REFERENCES lineage.approval_requests,
    from_state text        NOT NULL,
    to_state   text        NOT NULL,
    by_subject text,
    channel    text,
    reason     text
);
CREATE INDEX approval_state_changes_request ON lineage.approval_state_changes (request_id);

-- Append-only guards ---------------------------------------------------------------------------

CREATE FUNCTION lineage.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'lineage.%: % rejected (append-only)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['record', 'policy_versions', 'session_starts', 'session_ends', 'actions',
                             'decisions', 'data_objects', 'action_objects', 'results', 'approval_votes',
                             'approval_state_changes'] LOOP
        EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON lineage.%I
                        FOR EACH ROW EXECUTE FUNCTION lineage.reject_change()', t);
        EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON lineage.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_change()', t);
    END LOOP;
END $$;

CREATE FUNCTION lineage.guard_approval_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'lineage.approval_requests: DELETE rejected (append-only)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.state <> 'pending' OR NEW.state = 'pending'
       OR (OLD.request_id, OLD.record_id, OLD.at, OLD.action_id, OLD.action_digest, OLD.session_id, OLD.subject,
           OLD.chain_subjects, OLD.identity, OLD.connection, OLD.policy_version, OLD.profile, OLD.approvers,
           OLD.channels, OLD.summary, OLD.expires_at)
          IS DISTINCT FROM
          (NEW.request_id, NEW.record_id, NEW.at, NEW.action_id, NEW.action_digest, NEW.session_id, NEW.subject,
           NEW.chain_subjects, NEW.identity, NEW.connection, NEW.policy_version, NEW.profile, NEW.approvers,
           NEW.channels, NEW.summary, NEW.expires_at) THEN
        RAISE EXCEPTION 'lineage.approval_requests: only a pending -> terminal state change is allowed (% -> %)',
            OLD.state, NEW.state USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER guard_state BEFORE UPDATE OR DELETE ON lineage.approval_requests
    FOR EACH ROW EXECUTE FUNCTION lineage.guard_approval_state();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON lineage.approval_requests
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.reject_change();

-- Monthly partitions ---------------------------------------------------------------------------

CREATE FUNCTION lineage.ensure_partitions(p_from timestamptz, p_to timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m       timestamptz := date_trunc('month', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    t       text;
    part    text;
    created integer := 0;
BEGIN
    WHILE m <= p_to LOOP
        FOREACH t IN ARRAY ARRAY['record', 'actions', 'decisions', 'action_objects', 'results'] LOOP
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

DO $$ BEGIN PERFORM lineage.ensure_partitions(now() - interval '1 month', now() + interval '3 months'); END $$;

-- Projection: journal -> typed tables -------------------------------------------------------------
-- (jsonb_populate_record in FROM, not (f(x)).* in the select list, which would call it once per column.)

CREATE FUNCTION lineage.project_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lineage.policy_versions
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.policy_versions, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'policy_version'
    ON CONFLICT (hash) DO NOTHING;

    INSERT INTO lineage.session_starts
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.session_starts, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'session_start';

    INSERT INTO lineage.session_ends
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.session_ends, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'session_end';

    -- Actions, their data objects and the links, in one statement so each body is parsed once.
    WITH a AS MATERIALIZED (
        SELECT n.record_id, n.at, n.body::jsonb AS j FROM new_rows n WHERE n.kind = 'action'
    ), ins_actions AS (
        INSERT INTO lineage.actions
        SELECT r.*
        FROM a, jsonb_populate_record(null::lineage.actions, a.j || jsonb_build_object('record_id', a.record_id, 'at', a.at)) r
    ), objs AS MATERIALIZED (
        SELECT a.at, (a.j ->> 'action_id')::uuid AS action_id, o FROM a, jsonb_array_elements(a.j -> 'objects') o
    ), ins_objects AS (
        INSERT INTO lineage.data_objects
        SELECT DISTINCT ON (d.object_id) d.object_id, d.kind, d.connection, d.schema_name, d.table_name,
               d.host, d.path, d.method, d.route, d.display
        FROM objs, jsonb_populate_record(null::lineage.data_objects, objs.o) d
        ON CONFLICT (object_id) DO NOTHING
    )
    INSERT INTO lineage.action_objects
    SELECT DISTINCT objs.action_id, (objs.o ->> 'object_id')::uuid, objs.o ->> 'access', objs.at FROM objs;

    INSERT INTO lineage.decisions
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.decisions, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'decision';

    INSERT INTO lineage.results
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.results, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'result';

    INSERT INTO lineage.approval_requests
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.approval_requests, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at, 'state', 'pending')) r
    WHERE n.kind = 'approval_request';

    INSERT INTO lineage.approval_votes
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.approval_votes, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'approval_vote';

    INSERT INTO lineage.approval_state_changes
    SELECT r.*
    FROM new_rows n,
         jsonb_populate_record(null::lineage.approval_state_changes, n.body::jsonb || jsonb_build_object('record_id', n.record_id, 'at', n.at)) r
    WHERE n.kind = 'approval_state';

    RETURN NULL;
END $$;

CREATE TRIGGER project AFTER INSERT ON lineage.record
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.project_records();
