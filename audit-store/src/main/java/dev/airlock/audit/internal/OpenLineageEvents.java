package dev.airlock.audit.internal;

import io.openlineage.client.OpenLineage;
import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** Builds an OpenLineage RunEvent for one recorded action from the lineage tables. */
public final class OpenLineageEvents {

    static final URI PRODUCER = URI.create("https://github.com/airlock-dev/airlock");
    static final URI DECISION_SCHEMA = URI.create("https://airlock.dev/spec/facets/1-0-0/AirlockDecisionRunFacet.json");
    static final URI APPROVAL_SCHEMA = URI.create("https://airlock.dev/spec/facets/1-0-0/AirlockApprovalRunFacet.json");

    private final OpenLineage ol = new OpenLineage(PRODUCER);
    private final String namespace;

    public OpenLineageEvents(String namespace) {
        this.namespace = namespace;
    }

    /** The event, or {@code null} when the action is not (yet) in the store. */
    public OpenLineage.RunEvent build(Connection c, UUID actionId) throws SQLException {
        OpenLineage.RunFacetsBuilder runFacets = ol.newRunFacetsBuilder();
        OpenLineage.JobFacetsBuilder jobFacets = ol.newJobFacetsBuilder();
        String connection;
        String kind;
        OffsetDateTime time;
        boolean failed;
        try (PreparedStatement ps = c.prepareStatement("SELECT a.connection, a.protocol, a.kind, a.text, s.subject, "
                + "s.acting_subject, d.effect, d.rule_ids, d.reason_codes, d.policy_version, d.dry_run, "
                + "r.rows, r.duration_us, r.error_class, r.error_message, r.at "
                + "FROM lineage.actions a LEFT JOIN lineage.session_starts s ON s.session_id = a.session_id "
                + "LEFT JOIN lineage.decisions d ON d.action_id = a.action_id "
                + "LEFT JOIN lineage.results r ON r.action_id = a.action_id WHERE a.action_id = ? LIMIT 1")) {
            ps.setObject(1, actionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                connection = rs.getString(1);
                kind = rs.getString(3);
                if (rs.getString(4) != null) {
                    jobFacets.sql(ol.newSQLJobFacet(rs.getString(4), rs.getString(2)));
                }
                DecisionFacet d = new DecisionFacet(rs.getString(7), strings(rs.getArray(8)), strings(rs.getArray(9)),
                        rs.getString(10), rs.getBoolean(11), rs.getString(5), rs.getString(6));
                runFacets.put("airlock_decision", d);
                time = rs.getObject(16, OffsetDateTime.class);
                failed = rs.getString(14) != null;
                if (failed) {
                    runFacets.errorMessage(ol.newErrorMessageRunFacet(
                            rs.getString(15) == null ? rs.getString(14) : rs.getString(15), rs.getString(2), null));
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT request_id, profile, state, decided_by, approvers, deniers, "
                + "state_changed_at FROM lineage.approvals WHERE action_id = ? ORDER BY requested_at DESC LIMIT 1")) {
            ps.setObject(1, actionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    runFacets.put("airlock_approval", new ApprovalFacet(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), strings(rs.getArray(5)), strings(rs.getArray(6))));
                }
            }
        }
        List<OpenLineage.InputDataset> inputs = new ArrayList<>();
        List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT o.kind, o.schema_name, o.table_name, o.path, o.method, o.route, "
                + "ao.access FROM lineage.action_objects ao JOIN lineage.data_objects o ON o.object_id = ao.object_id "
                + "WHERE ao.action_id = ? ORDER BY o.display, ao.access")) {
            ps.setObject(1, actionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = switch (rs.getString(1)) {
                        case "table" -> (rs.getString(2) == null ? "" : rs.getString(2) + '.') + rs.getString(3);
                        case "path" -> rs.getString(4);
                        default -> rs.getString(5) + ' ' + rs.getString(6);
                    };
                    String ns = "airlock://" + connection;
                    if (rs.getString(7).equals("write")) {
                        outputs.add(ol.newOutputDatasetBuilder().namespace(ns).name(name).build());
                    } else {
                        inputs.add(ol.newInputDatasetBuilder().namespace(ns).name(name).build());
                    }
                }
            }
        }
        return ol.newRunEventBuilder()
                .eventType(failed ? OpenLineage.RunEvent.EventType.FAIL : OpenLineage.RunEvent.EventType.COMPLETE)
                .eventTime((time == null ? OffsetDateTime.now(ZoneOffset.UTC) : time).atZoneSameInstant(ZoneOffset.UTC))
                .run(ol.newRunBuilder().runId(actionId).facets(runFacets.build()).build())
                .job(ol.newJobBuilder().namespace(namespace).name(connection + '.' + (kind == null ? "action" : kind))
                        .facets(jobFacets.build()).build())
                .inputs(inputs)
                .outputs(outputs)
                .build();
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    /** Custom run facet {@code airlock_decision}: what the policy decided and for whom. */
    public static final class DecisionFacet extends OpenLineage.DefaultRunFacet {
        private final String effect;
        private final List<String> ruleIds;
        private final List<String> reasonCodes;
        private final String policyVersion;
        private final boolean dryRun;
        private final String subject;
        private final String actingSubject;

        DecisionFacet(String effect, List<String> ruleIds, List<String> reasonCodes, String policyVersion, boolean dryRun,
                      String subject, String actingSubject) {
            super(PRODUCER);
            this.effect = effect;
            this.ruleIds = ruleIds;
            this.reasonCodes = reasonCodes;
            this.policyVersion = policyVersion;
            this.dryRun = dryRun;
            this.subject = subject;
            this.actingSubject = actingSubject;
        }

        @Override
        public URI get_schemaURL() {
            return DECISION_SCHEMA;
        }

        public String getEffect() {
            return effect;
        }

        public List<String> getRuleIds() {
            return ruleIds;
        }

        public List<String> getReasonCodes() {
            return reasonCodes;
        }

        public String getPolicyVersion() {
            return policyVersion;
        }

        public boolean isDryRun() {
            return dryRun;
        }

        public String getSubject() {
            return subject;
        }

        public String getActingSubject() {
            return actingSubject;
        }
    }

    /** Custom run facet {@code airlock_approval}: the approval request that let the action through (or not). */
    public static final class ApprovalFacet extends OpenLineage.DefaultRunFacet {
        private final String requestId;
        private final String profile;
        private final String state;
        private final String decidedBy;
        private final List<String> approvers;
        private final List<String> deniers;

        ApprovalFacet(String requestId, String profile, String state, String decidedBy, List<String> approvers,
                      List<String> deniers) {
            super(PRODUCER);
            this.requestId = requestId;
            this.profile = profile;
            this.state = state;
            this.decidedBy = decidedBy;
            this.approvers = approvers;
            this.deniers = deniers;
        }

        @Override
        public URI get_schemaURL() {
            return APPROVAL_SCHEMA;
        }

        public String getRequestId() {
            return requestId;
        }

        public String getProfile() {
            return profile;
        }

        public String getState() {
            return state;
        }

        public String getDecidedBy() {
            return decidedBy;
        }

        public List<String> getApprovers() {
            return approvers;
        }

        public List<String> getDeniers() {
            return deniers;
        }
    }
}
