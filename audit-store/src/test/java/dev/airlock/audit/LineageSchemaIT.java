package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class LineageSchemaIT {

    private LineageStore store;
    private LineageWriter writer;

    @BeforeEach
    void open(TestDatabase db, @TempDir Path dir) throws Exception {
        store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
        writer = store.startWriter(WriterConfig.defaults(dir.resolve("spool")));
    }

    @AfterEach
    void close() {
        writer.close();
        store.close();
    }

    private void write(List<LineageEvent> events) throws Exception {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        events.forEach(e -> fs.add(writer.append(e).toCompletableFuture()));
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void migratesAnEmptyDatabaseWithPartitionsAhead() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                     + "WHERE nspname = 'lineage' AND relkind IN ('r', 'p', 'v') ORDER BY relname")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        String ahead = String.format("%d_%02d", now.plusMonths(3).getYear(), now.plusMonths(3).getMonthValue());
        assertThat(tables).contains("record", "chain_head", "policy_versions", "session_starts", "session_ends",
                "actions", "decisions", "data_objects", "action_objects", "results", "approval_requests",
                "approval_votes", "approval_state_changes", "who_touched", "approvals", "denials", "sessions", "journal",
                "record_" + ahead, "actions_" + ahead, "decisions_" + ahead, "action_objects_" + ahead, "results_" + ahead);
    }

    @Test
    void everyRecordTypeRoundTrips() throws Exception {
        Samples.Story story = Samples.story();
        write(story.events());
        write(List.of(ActionRecorded.of(java.util.UUID.randomUUID(), story.session(), Samples.scp()),
                ActionRecorded.of(java.util.UUID.randomUUID(), story.session(), Samples.post())));
        AuditQueries q = store.queries();

        assertThat(q.query("SELECT hash, source FROM lineage.policy_versions").rows())
                .containsExactly(List.of(Samples.POLICY, "rules: []"));
        assertThat(q.query("SELECT subject, acting_subject, email, groups, actors->0->>'subject', claims->>'scope', "
                + "connection, protocol, client_address, client_program, ended_at IS NOT NULL, end_reason, actions "
                + "FROM lineage.sessions WHERE session_id = ?", story.session()).rows())
                .containsExactly(List.of("alice", "agent-7", "alice@example.com", List.of("agents", "eng"), "agent-7",
                        "db", "prod", "postgres", "10.0.0.7:51234", "psql", true, "client closed", 5L));
        assertThat(q.query("SELECT protocol, text, fingerprint, parameters_digest IS NOT NULL, kind, action_digest "
                + "FROM lineage.actions WHERE action_id = ?", story.write()).rows())
                .containsExactly(List.of("postgres", "UPDATE customers SET tier = $1 WHERE id = 7", "fp-update", true,
                        "write", Samples.update("UPDATE customers SET tier = $1 WHERE id = 7").digest()));
        assertThat(q.query("SELECT effect, approval_profile, rule_ids, reason_codes, explanation, hint, policy_version, "
                + "dry_run, dry_run_outcomes->0->>'rule_id' FROM lineage.decisions WHERE action_id = ?", story.write()).rows())
                .containsExactly(List.of("REQUIRE_APPROVAL", "dba", List.of("agent-writes-need-a-dba"), List.of("sql.kind=write"),
                        "Writes by agents need a DBA.", "Wait for approval.", Samples.POLICY, true, "strict-hours"));
        assertThat(q.query("SELECT rows, duration_us, error_class FROM lineage.results WHERE action_id = ?", story.read()).rows())
                .containsExactly(java.util.Arrays.asList(12L, 3000L, null));
        assertThat(q.query("SELECT o.display, ao.access FROM lineage.action_objects ao JOIN lineage.data_objects o "
                + "USING (object_id) ORDER BY 1, 2").rows())
                .containsExactly(List.of("bastion:/var/log/app.log", "export"), List.of("billing-api POST /v1/refunds", "write"),
                        List.of("prod.orders", "read"), List.of("prod.public.customers", "read"),
                        List.of("prod.public.customers", "write"), List.of("prod.public.customers", "write"));
        assertThat(q.query("SELECT count(*) FROM lineage.data_objects").rows()).containsExactly(List.of(4L));
        assertThat(q.query("SELECT argv FROM lineage.actions WHERE protocol = 'ssh'").rows())
                .containsExactly(List.of(List.of("scp", "-f", "/var/log/app.log")));
        assertThat(q.query("SELECT method, path, kind FROM lineage.actions WHERE protocol = 'http'").rows())
                .containsExactly(List.of("POST", "/v1/refunds", "http"));
    }

    @Test
    void rejectsUpdateDeleteAndTruncateOnEveryHistoryTable() throws Exception {
        write(Samples.story().events());
        java.util.UUID request = java.util.UUID.randomUUID();
        ApprovalStore approvals = store.approvals("main");
        approvals.create(ApprovalStoreIT.request(request));
        approvals.recordVote(request, "bob", ApprovalVote.Choice.APPROVE, "web", null);
        approvals.compareAndSet(request, ApprovalState.APPROVED, "bob", "web", null);
        approvals.recordRefusal(request, "agent-7", null, "web", "approve", "self_approval", java.time.Instant.now());
        approvals.recordRejectedInteraction(new ApprovalStore.RejectedInteraction("slack-http", "replay", null, null, null,
                null, java.time.Instant.now()));
        java.util.Map<String, String> column = new java.util.HashMap<>(java.util.Map.of("policy_versions", "source",
                "session_starts", "subject", "session_ends", "reason", "actions", "summary", "decisions", "effect",
                "data_objects", "display", "action_objects", "access", "results", "rows", "approval_votes", "vote"));
        column.put("approval_state_changes", "to_state");
        column.put("approval_refusals", "rejection");
        column.put("approval_rejected_interactions", "reason");
        for (String t : column.keySet()) {
            assertRejected("UPDATE lineage." + t + " SET " + column.get(t) + " = " + column.get(t), "append-only");
            if (!t.startsWith("data_objects") && !t.startsWith("action_objects")) {
                assertRejected("UPDATE lineage." + t + " SET seq = seq + 1", "append-only");
            }
            assertRejected("DELETE FROM lineage." + t, "append-only");
            assertRejected("TRUNCATE lineage." + t + " CASCADE", "append-only");
        }
        assertRejected("DELETE FROM lineage.approval_requests", "append-only");
        assertRejected("UPDATE lineage.approval_requests SET record_hash = record_hash", "only a pending -> terminal");
        assertRejected("INSERT INTO lineage.record SELECT 'main', 99, gen_random_uuid(), 'action', now(), '{}', "
                + "'\\x00', '\\x00'", "no longer takes records");
        assertThat(store.verify().ok()).isTrue();
    }

    private void assertRejected(String sql, String message) {
        assertThatThrownBy(() -> {
            try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }).as(sql).isInstanceOf(SQLException.class).hasMessageContaining(message);
    }

    @Test
    void replayedRecordIdsAreStoredOnce() throws Exception {
        Samples.Story story = Samples.story();
        write(story.events());
        write(story.events());
        assertThat(store.queries().query("SELECT count(*), count(DISTINCT record_id) FROM lineage.journal").rows())
                .containsExactly(List.of(11L, 11L));
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void awkwardValuesAreStoredAndStayVerifiable() throws Exception {
        java.util.Map<String, Object> claims = new java.util.HashMap<>();
        claims.put("decimal", 1.50);
        claims.put("large", new java.math.BigInteger("123456789012345678901234567890"));
        claims.put("exponent", 1.0E10);
        claims.put("text", "nul\u0000 \"quotes\" \\ \u001f 😀 lone\uD800");
        claims.put("nested", java.util.Map.of("z", List.of(true, 2), "a", java.util.Map.of()));
        dev.airlock.policy.Identity id = new dev.airlock.policy.Identity("https://idp", "ünïcødé\u0000", null,
                java.util.Set.of("g\tone"), claims, List.of());
        java.util.UUID session = java.util.UUID.randomUUID();
        write(List.of(SessionStarted.of(session, id, "prod", dev.airlock.config.Protocol.POSTGRES, null, "psql\u0000"),
                ActionRecorded.of(java.util.UUID.randomUUID(), session, Samples.update("UPDATE t SET s = 'a\u0000b'"))));
        assertThat(store.verify().ok()).isTrue();
        assertThat(store.queries().query("SELECT subject, groups, claims->>'decimal', claims->>'large', claims->>'exponent', "
                + "claims->>'text', client_program FROM lineage.session_starts WHERE session_id = ?", session).rows())
                .containsExactly(List.of("ünïcødé\uFFFD", List.of("g\tone"), "1.5", "123456789012345678901234567890",
                        "10000000000", "nul\uFFFD \"quotes\" \\ \u001f 😀 lone\uFFFD", "psql\uFFFD"));
    }
}
