-- Auditor views: documented in docs/auditing.md. Columns are part of the contract; add, never rename.

CREATE VIEW lineage.sessions AS
SELECT s.session_id, s.subject, s.acting_subject, s.email, s.issuer, s.groups, s.actors, s.claims,
       s.connection, s.protocol, s.client_address, s.client_program, s.started_at, e.ended_at, e.reason AS end_reason,
       (SELECT count(*) FROM lineage.actions a WHERE a.session_id = s.session_id) AS actions
FROM lineage.session_starts s
LEFT JOIN lineage.session_ends e USING (session_id);

CREATE VIEW lineage.approvals AS
SELECT r.request_id, r.action_id, r.action_digest, r.subject AS requested_by, r.chain_subjects, r.connection,
       r.profile, r.channels, r.summary, r.policy_version, r.at AS requested_at, r.expires_at,
       r.state, r.state_changed_at, r.decided_by, r.decided_channel, r.decided_reason,
       COALESCE((SELECT array_agg(v.voter ORDER BY v.at) FROM lineage.approval_votes v
                 WHERE v.request_id = r.request_id AND v.vote = 'approve'), '{}') AS approvers,
       COALESCE((SELECT array_agg(v.voter ORDER BY v.at) FROM lineage.approval_votes v
                 WHERE v.request_id = r.request_id AND v.vote = 'deny'), '{}') AS deniers
FROM lineage.approval_requests r;

CREATE VIEW lineage.who_touched AS
SELECT o.display AS object, o.kind AS object_kind, o.connection, o.schema_name, o.table_name, o.host, o.path,
       o.route, ao.access, ao.at, a.action_id, a.summary AS action, a.kind AS action_kind,
       s.subject, s.acting_subject, s.session_id,
       d.effect, d.rule_ids, d.reason_codes, d.policy_version, d.dry_run,
       COALESCE(ap.approvers, '{}') AS approvers, ap.request_id AS approval_request_id,
       res.rows, res.error_class
FROM lineage.action_objects ao
JOIN lineage.data_objects o ON o.object_id = ao.object_id
JOIN lineage.actions a ON a.action_id = ao.action_id
LEFT JOIN lineage.session_starts s ON s.session_id = a.session_id
LEFT JOIN lineage.decisions d ON d.action_id = a.action_id
LEFT JOIN LATERAL (SELECT x.request_id, x.approvers FROM lineage.approvals x
                   WHERE x.action_id = a.action_id ORDER BY x.requested_at DESC LIMIT 1) ap ON true
LEFT JOIN lineage.results res ON res.action_id = a.action_id;

CREATE VIEW lineage.denials AS
SELECT d.at, a.action_id, a.connection, a.protocol, a.summary AS action, a.kind AS action_kind,
       s.subject, s.acting_subject, s.session_id,
       d.rule_ids, d.reason_codes, d.explanation, d.policy_version, d.dry_run
FROM lineage.decisions d
JOIN lineage.actions a ON a.action_id = d.action_id
LEFT JOIN lineage.session_starts s ON s.session_id = a.session_id
WHERE d.effect = 'DENY';
