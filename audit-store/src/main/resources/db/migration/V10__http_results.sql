-- HTTP results: the status code sent to the agent and the response body bytes (null for other protocols).
-- The projection trigger fills them from the result body's "status" and "bytes" keys (jsonb_populate_record).
ALTER TABLE lineage.results ADD COLUMN status integer, ADD COLUMN bytes bigint;

-- Columns are part of the contract: add at the end, never rename.
CREATE OR REPLACE VIEW lineage.who_touched AS
SELECT o.display AS object, o.kind AS object_kind, o.connection, o.schema_name, o.table_name, o.host, o.path,
       o.route, ao.access, ao.at, a.action_id, a.summary AS action, a.kind AS action_kind,
       s.subject, s.acting_subject, s.session_id,
       d.effect, d.rule_ids, d.reason_codes, d.policy_version, d.dry_run,
       COALESCE(ap.approvers, '{}') AS approvers, ap.request_id AS approval_request_id,
       res.rows, res.error_class,
       res.status, res.bytes, res.duration_us
FROM lineage.action_objects ao
JOIN lineage.data_objects o ON o.object_id = ao.object_id
JOIN lineage.actions a ON a.action_id = ao.action_id
LEFT JOIN lineage.session_starts s ON s.session_id = a.session_id
LEFT JOIN lineage.decisions d ON d.action_id = a.action_id
LEFT JOIN LATERAL (SELECT x.request_id, x.approvers FROM lineage.approvals x
                   WHERE x.action_id = a.action_id ORDER BY x.requested_at DESC LIMIT 1) ap ON true
LEFT JOIN lineage.results res ON res.action_id = a.action_id;
