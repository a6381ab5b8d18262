package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Hashing;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by Airlock 0.1 (the JSON journal {@code lineage.record} and its projection trigger, schema
 * at V20 without V4, or at V21 with HTTP results and recorded refusals) is migrated and written on: its old
 * records stay verifiable and start the chain that the new writer continues. A store migrated by the chained
 * design before V10 and V21 existed gets them, out of order, too.
 */
@ExtendWith(PostgresExtension.class)
class LineageUpgradeIT {

    private static final List<String> BEFORE_0_2 = List.of("V1__lineage_schema.sql", "V2__auditor_views.sql",
            "V3__openlineage_outbox.sql", "V20__approvals.sql");
    /** The last schema of the JSON journal: HTTP results (V10), vote emails and recorded refusals (V21). */
    private static final List<String> JOURNAL_AT_V21 = List.of("V1__lineage_schema.sql", "V2__auditor_views.sql",
            "V3__openlineage_outbox.sql", "V10__http_results.sql", "V20__approvals.sql",
            "V21__approval_votes_email_and_rejections.sql");
    /** The chained design before V10 and V21 were written. */
    private static final List<String> CHAINED_BEFORE_V10 = List.of("V1__lineage_schema.sql", "V2__auditor_views.sql",
            "V3__openlineage_outbox.sql", "V4__chained_tables.sql", "V20__approvals.sql");

    /** Migrates {@code db} with only {@code migrations}, as an older Airlock would have. */
    private void migrateWith(TestDatabase db, Path dir, List<String> migrations) throws Exception {
        Path old = dir.resolve("migrations-old");
        Files.createDirectories(old);
        for (String f : migrations) {
            try (InputStream in = getClass().getResourceAsStream("/db/migration/" + f)) {
                Files.copy(in, old.resolve(f));
            }
        }
        Flyway.configure().dataSource(db.dataSource()).schemas("lineage").createSchemas(true)
                .table("flyway_lineage_history").locations("filesystem:" + old).load().migrate();
    }

    /**
     * Appends {@code kind, body} records to the JSON journal as Airlock 0.1 did (its trigger projects them), and
     * moves the chain head; returns their record ids.
     */
    private static List<UUID> appendLegacy(Connection c, Instant at, List<String[]> records) throws Exception {
        List<UUID> ids = new ArrayList<>();
        byte[] prev = Hashing.GENESIS;
        long seq = 0;
        for (String[] r : records) {
            seq++;
            UUID id = r.length > 2 ? UUID.fromString(r[2]) : UUID.randomUUID();
            ids.add(id);
            long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
            byte[] hash = Hashing.link(prev, Hashing.legacyCanonical("main", seq, id, r[0], micros, r[1]));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.record (chain, seq, record_id, kind, at, "
                    + "body, prev_hash, hash) VALUES ('main', ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, seq);
                ps.setObject(2, id);
                ps.setString(3, r[0]);
                ps.setTimestamp(4, Timestamp.from(at));
                ps.setString(5, r[1]);
                ps.setBytes(6, prev);
                ps.setBytes(7, hash);
                ps.executeUpdate();
            }
            prev = hash;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.chain_head VALUES ('main', ?, ?, now())")) {
            ps.setLong(1, seq);
            ps.setBytes(2, prev);
            ps.executeUpdate();
        }
        return ids;
    }

    @Test
    void recordsOfTheJsonJournalStayVerifiableAndTheChainContinues(TestDatabase db, @TempDir Path dir) throws Exception {
        migrateWith(db, dir, BEFORE_0_2);
        UUID session = UUID.randomUUID();
        UUID action = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<UUID> legacyIds;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            legacyIds = appendLegacy(c, at, List.of(
                    new String[] {"session_start", sessionBody(session, at)},
                    new String[] {"action", actionBody(action, session)},
                    new String[] {"decision", decisionBody(action)}));
            c.commit();
        }

        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            assertThat(store.verify().ok()).isTrue();
            Samples.Story story = Samples.story();
            try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                story.events().forEach(e -> fs.add(w.append(e).toCompletableFuture()));
                CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
            ChainVerifier.Report r = store.verify();
            assertThat(r.firstBreak()).isEmpty();
            assertThat(r.records()).isEqualTo(3 + story.events().size());
            assertThat(r.chains()).isEqualTo(1);
            assertThat(store.queries().query("SELECT min(seq) FROM lineage.journal WHERE kind = 'policy_version'").rows())
                    .containsExactly(List.of(4L));
            assertThat(store.queries().query("SELECT subject, effect, rule_ids FROM lineage.who_touched WHERE action_id = ?",
                    action).rows()).containsExactly(List.of("alice", "ALLOW", List.of("agents-read")));

            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET session_replication_role = replica");
                s.execute("UPDATE lineage.record SET body = replace(body, 'alice', 'mallory') WHERE seq = 1");
            }
            ChainVerifier.Break b = store.verify().firstBreak().orElseThrow();
            assertThat(b.problem()).isEqualTo(ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
            assertThat(b.recordId()).isEqualTo(legacyIds.get(0));
            assertThat(b.detail()).contains("lineage.record");
        }
    }

    @Test
    void aStoreAtV21GetsTheChainedTablesAndItsRefusalsStayVerifiable(TestDatabase db, @TempDir Path dir) throws Exception {
        migrateWith(db, dir, JOURNAL_AT_V21);
        UUID session = UUID.randomUUID();
        UUID action = UUID.randomUUID();
        UUID request = UUID.randomUUID();
        UUID refusalRecord = UUID.randomUUID();
        UUID rejectedRecord = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<UUID> legacyIds;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            NewApproval n = ApprovalStoreIT.request(request);
            ObjectNode req = EventCodec.JSON.createObjectNode();
            req.put("request_id", request.toString()).putNull("action_id").put("action_digest", n.actionDigest())
                    .put("session_id", n.sessionId().toString()).put("subject", "alice");
            EventCodec.strings(req.putArray("chain_subjects"), n.identity().chainSubjects());
            EventCodec.putIdentity(req.putObject("identity"), n.identity());
            req.put("connection", "prod").put("policy_version", n.policyVersion()).put("profile", "dba");
            EventCodec.strings(req.putArray("approvers"), n.approvers());
            EventCodec.strings(req.putArray("channels"), n.channels());
            req.put("summary", n.summary()).put("expires_at", n.expiresAt().toString());
            legacyIds = appendLegacy(c, at, List.of(
                    new String[] {"session_start", sessionBody(session, at)},
                    new String[] {"action", actionBody(action, session)},
                    new String[] {"decision", decisionBody(action)},
                    new String[] {"result", "{\"action_id\":\"" + action + "\",\"duration_us\":1200,\"error_class\":null,"
                            + "\"error_message\":null,\"status\":200,\"bytes\":57}"},
                    new String[] {"approval_request", EventCodec.write(req)},
                    new String[] {"approval_vote", "{\"vote_id\":\"" + UUID.randomUUID() + "\",\"request_id\":\"" + request
                            + "\",\"voter\":\"bob\",\"vote\":\"approve\",\"channel\":\"web\",\"reason\":null,"
                            + "\"voter_email\":\"bob@example.com\"}"},
                    // V21's refusals: a journal record (ignored by the trigger) and the row written beside it
                    new String[] {"approval_refusal", "{\"request_id\":\"" + request + "\",\"voter\":\"agent-7\","
                            + "\"email\":null,\"channel\":\"slack\",\"vote\":\"approve\",\"rejection\":\"self_approval\"}",
                            refusalRecord.toString()},
                    new String[] {"approval_interaction_rejected", "{\"channel\":\"slack-http\",\"reason\":\"replay\","
                            + "\"request_id\":null,\"claimed_user\":\"UEVIL\",\"remote\":null,\"body_digest\":null}",
                            rejectedRecord.toString()}));
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO lineage.approval_refusals (request_id, at, voter, channel, vote, rejection, record_id) "
                        + "VALUES ('" + request + "', now(), 'agent-7', 'slack', 'approve', 'self_approval', '" + refusalRecord
                        + "')");
                st.execute("INSERT INTO lineage.approval_rejected_interactions (record_id, at, channel, reason, claimed_user) "
                        + "VALUES ('" + rejectedRecord + "', now(), 'slack-http', 'replay', 'UEVIL')");
                // a refusal from before V21, which had no record at all
                st.execute("INSERT INTO lineage.approval_refusals (request_id, at, voter, channel, vote, rejection) "
                        + "VALUES ('" + request + "', now(), 'eve', 'web', 'approve', 'not_approver')");
            }
            c.commit();
        }

        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            assertThat(store.queries().query("SELECT version FROM lineage.flyway_lineage_history WHERE success "
                    + "AND version IN ('4', '22') ORDER BY installed_rank").rows()).containsExactly(List.of("4"), List.of("22"));
            ChainVerifier.Report before = store.verify();
            assertThat(before.firstBreak()).isEmpty();
            assertThat(before.records()).isEqualTo(legacyIds.size());
            assertThat(store.queries().query("SELECT status, bytes FROM lineage.who_touched WHERE action_id = ?", action)
                    .rows()).containsExactly(List.of(200, 57L));
            ApprovalStore approvals = store.approvals("main");
            assertThat(approvals.votes(request)).extracting(ApprovalVote::voterEmail).containsExactly("bob@example.com");

            // the chain goes on in the typed tables, refusals and votes with emails included
            UUID http = LineageIds.next();
            try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
                CompletableFuture.allOf(w.append(ActionRecorded.of(http, session, Samples.post())).toCompletableFuture(),
                        w.append(ResultRecorded.http(http, 201, 12L, java.time.Duration.ofMillis(3), null)).toCompletableFuture())
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(approvals.castVote(LineageIds.next(), request, "carol", "carol@example.com", ApprovalVote.Choice.APPROVE,
                    "slack", null, 2, Instant.now(), null).status()).isEqualTo(VoteCast.Status.DECIDED);
            approvals.recordRefusal(request, "agent-7", null, "web", "deny", "expired", Instant.now());
            approvals.recordRejectedInteraction(new ApprovalStore.RejectedInteraction("web", "missing CSRF token", null, null,
                    "127.0.0.1:1", null, Instant.now()));
            ChainVerifier.Report after = store.verify();
            assertThat(after.firstBreak()).isEmpty();
            assertThat(after.records()).isEqualTo(legacyIds.size() + 6);
            assertThat(store.queries().query("SELECT kind FROM lineage.journal WHERE seq > ? ORDER BY seq",
                    (long) legacyIds.size()).rows()).containsExactly(List.of("action"), List.of("result"),
                    List.of("approval_vote"), List.of("approval_state"), List.of("approval_refusal"),
                    List.of("approval_interaction_rejected"));
            assertThat(approvals.votes(request)).extracting(ApprovalVote::voterEmail)
                    .containsExactly("bob@example.com", "carol@example.com");

            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("UPDATE lineage.record SET body = replace(body, 'self_approval', 'expired') "
                        + "WHERE kind = 'approval_refusal'");
            }
            ChainVerifier.Break b = store.verify().firstBreak().orElseThrow();
            assertThat(b.problem()).isEqualTo(ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
            assertThat(b.recordId()).isEqualTo(refusalRecord);
        }
    }

    @Test
    void aChainedStoreFromBeforeV10GetsHttpResultsAndRefusalsOutOfOrder(TestDatabase db, @TempDir Path dir)
            throws Exception {
        migrateWith(db, dir, CHAINED_BEFORE_V10);
        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            assertThat(store.queries().query("SELECT version FROM lineage.flyway_lineage_history WHERE success "
                    + "AND version IN ('10', '21', '22') ORDER BY installed_rank").rows())
                    .containsExactly(List.of("10"), List.of("21"), List.of("22"));
            UUID action = LineageIds.next();
            try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
                CompletableFuture.allOf(w.append(ActionRecorded.of(action, UUID.randomUUID(), Samples.post())).toCompletableFuture(),
                        w.append(ResultRecorded.http(action, 404, 0L, java.time.Duration.ofMillis(1), "Not Found"))
                                .toCompletableFuture()).get(30, TimeUnit.SECONDS);
            }
            ApprovalStore approvals = store.approvals("main");
            UUID request = UUID.randomUUID();
            approvals.create(ApprovalStoreIT.request(request));
            approvals.recordRefusal(request, "agent-7", null, "slack", "approve", "self_approval", Instant.now());
            assertThat(store.queries().query("SELECT status, bytes, error_class FROM lineage.who_touched WHERE action_id = ?",
                    action).rows()).containsExactly(List.of(404, 0L, "4xx"));
            assertThat(store.verify().firstBreak()).isEmpty();
        }
        // and a second start finds nothing to do
        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            assertThat(store.verify().ok()).isTrue();
        }
    }

    private static String decisionBody(UUID action) {
        return "{\"action_id\":\"" + action + "\",\"effect\":\"ALLOW\",\"approval_profile\":null,"
                + "\"rule_ids\":[\"agents-read\"],\"reason_codes\":[\"sql.kind=read\"],\"explanation\":\"ok\","
                + "\"hint\":null,\"policy_version\":\"v0\",\"dry_run\":false,\"dry_run_outcomes\":[]}";
    }

    private static String sessionBody(UUID session, Instant at) {
        ObjectNode b = EventCodec.JSON.createObjectNode();
        b.put("session_id", session.toString());
        EventCodec.putIdentity(b, Samples.agentForAlice());
        b.put("connection", "prod").put("protocol", "postgres").put("client_address", "10.0.0.7:5000")
                .put("client_program", "psql").put("started_at", at.toString());
        return EventCodec.write(b);
    }

    private static String actionBody(UUID action, UUID session) {
        DataObject o = DataObject.table("prod", "public", "customers");
        return "{\"action_id\":\"" + action + "\",\"session_id\":\"" + session + "\",\"connection\":\"prod\","
                + "\"protocol\":\"postgres\",\"summary\":\"SELECT * FROM customers\",\"action_digest\":\"" + "a".repeat(64)
                + "\",\"text\":\"SELECT * FROM customers\",\"fingerprint\":\"fp\",\"parameters_digest\":null,\"kind\":\"read\","
                + "\"objects\":[{\"object_id\":\"" + o.id() + "\",\"kind\":\"table\",\"connection\":\"prod\",\"schema_name\":"
                + "\"public\",\"table_name\":\"customers\",\"host\":null,\"path\":null,\"method\":null,\"route\":null,"
                + "\"display\":\"" + o.display() + "\",\"access\":\"read\"}]}";
    }
}
