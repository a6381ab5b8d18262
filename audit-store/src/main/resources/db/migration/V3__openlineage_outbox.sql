-- OpenLineage outbox: one row per executed action that touched data objects. The exporter delivers
-- them in the background; delivery state is bookkeeping, not history, so it may be updated.

CREATE TABLE lineage.openlineage_outbox (
    action_id    uuid        PRIMARY KEY,
    at           timestamptz NOT NULL,
    enqueued_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text
);
CREATE INDEX openlineage_outbox_undelivered ON lineage.openlineage_outbox (at) WHERE delivered_at IS NULL;

CREATE FUNCTION lineage.enqueue_openlineage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lineage.openlineage_outbox (action_id, at)
    SELECT DISTINCT ON (r.action_id) r.action_id, r.at
    FROM new_rows r
    WHERE EXISTS (SELECT 1 FROM lineage.action_objects ao WHERE ao.action_id = r.action_id)
    ON CONFLICT (action_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER openlineage_outbox AFTER INSERT ON lineage.results
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION lineage.enqueue_openlineage();
