package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.internal.Hashing;
import dev.airlock.audit.internal.Records;
import dev.airlock.audit.internal.Sink;
import dev.airlock.audit.internal.Table;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class ChainVerifierIT {

    private LineageStore store;

    @BeforeEach
    void populate(TestDatabase db, @TempDir Path dir) throws Exception {
        store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
        try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")).withBatchSize(3))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Samples.story().events().forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        ApprovalStore approvals = store.approvals("main");
        UUID id = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(id));
        approvals.compareAndSet(id, ApprovalState.APPROVED, "bob", "web", "looks fine");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void passesOnACleanChain() {
        ChainVerifier.Report r = store.verify();
        assertThat(r.firstBreak()).isEmpty();
        assertThat(r.records()).isEqualTo(35);
        assertThat(r.chains()).isEqualTo(1);
    }

    @Test
    void pinpointsAnEditedRow() throws Exception {
        Row victim = rowOf("lineage.session_starts", 1);
        tamper("UPDATE lineage.session_starts SET subject = 'mallory' WHERE seq = " + victim.seq);
        assertBreak(victim.seq, victim.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsAnEditedRowWhoseHashWasRecomputed() throws Exception {
        Row victim = rowOf("lineage.decisions", 1);
        tamper("UPDATE lineage.decisions SET rule_ids = '{anything-goes}' WHERE seq = " + victim.seq);
        rehash(Table.DECISIONS, victim.seq);
        assertBreak(victim.seq + 1, rowAt(victim.seq + 1).id, ChainVerifier.Problem.PREVIOUS_HASH_MISMATCH);
    }

    @Test
    void pinpointsADeletedRow() throws Exception {
        Row gone = rowAt(7);
        UUID after = rowAt(8).id;
        tamper("DELETE FROM " + gone.table + " WHERE seq = 7");
        assertBreak(8, after, ChainVerifier.Problem.SEQUENCE_GAP);
    }

    @Test
    void pinpointsReorderedRows() throws Exception {
        Row nine = rowAt(9);
        Row ten = rowAt(10);
        tamper("UPDATE " + nine.table + " SET seq = -1 WHERE seq = 9");
        tamper("UPDATE " + ten.table + " SET seq = 9 WHERE seq = 10");
        tamper("UPDATE " + nine.table + " SET seq = 10 WHERE seq = -1");
        assertBreak(9, ten.id, ChainVerifier.Problem.PREVIOUS_HASH_MISMATCH);
    }

    @Test
    void pinpointsADeletedTail() throws Exception {
        UUID last = rowAt(34).id;
        tamper("DELETE FROM " + rowAt(35).table + " WHERE seq = 35");
        assertBreak(34, last, ChainVerifier.Problem.TAIL_MISSING);
    }

    @Test
    void pinpointsAnEditedLinkOfAnAction() throws Exception {
        Row read = rowOf("lineage.actions", 1); // the story's SELECT: reads customers and orders
        tamper("UPDATE lineage.action_objects SET access = 'write' WHERE action_id = (SELECT action_id FROM lineage.actions "
                + "WHERE seq = " + read.seq + ") AND access = 'read'");
        assertBreak(read.seq, read.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsARemovedLinkOfAnAction() throws Exception {
        Row read = rowOf("lineage.actions", 1);
        tamper("DELETE FROM lineage.action_objects WHERE action_id = (SELECT action_id FROM lineage.actions WHERE seq = "
                + read.seq + ") AND object_id = (SELECT object_id FROM lineage.data_objects WHERE table_name = 'orders')");
        assertBreak(read.seq, read.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsAnEditedDataObjectAtTheFirstActionThatNamesIt() throws Exception {
        Row read = rowOf("lineage.actions", 1);
        tamper("UPDATE lineage.data_objects SET table_name = 'invoices' WHERE table_name = 'orders'");
        assertBreak(read.seq, read.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsARowThatBelongsToNoChain() throws Exception {
        tamper("INSERT INTO lineage.decisions (action_id, record_id, at, effect, rule_ids, reason_codes, policy_version, "
                + "dry_run, dry_run_outcomes) VALUES (gen_random_uuid(), gen_random_uuid(), now(), 'ALLOW', '{forged}', '{}', "
                + "'v0', false, '[]')");
        ChainVerifier.Break b = store.verify().firstBreak().orElseThrow();
        assertThat(b.problem()).isEqualTo(ChainVerifier.Problem.UNCHAINED_ROW);
        assertThat(b.detail()).contains("lineage.decisions");
    }

    @Test
    void pinpointsASecondRowWithTheSameSeq() throws Exception {
        Row twelve = rowAt(12);
        tamper("INSERT INTO lineage.session_ends (session_id, record_id, at, ended_at, reason, chain, seq, prev_hash, "
                + "record_hash) SELECT gen_random_uuid(), gen_random_uuid(), now(), now(), 'forged', chain, seq, prev_hash, "
                + "record_hash FROM " + twelve.table + " WHERE seq = 12");
        assertThat(store.verify().firstBreak().orElseThrow().problem())
                .isIn(ChainVerifier.Problem.DUPLICATE_SEQUENCE, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsAnEditedHttpStatusOrByteCount(@TempDir Path dir) throws Exception {
        UUID action = LineageIds.next();
        ResultRecorded result = ResultRecorded.http(action, 403, 120L, Duration.ofMillis(4), "Forbidden");
        try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
            CompletableFuture.allOf(w.append(ActionRecorded.of(action, UUID.randomUUID(), Samples.post())).toCompletableFuture(),
                    w.append(result).toCompletableFuture()).get(30, TimeUnit.SECONDS);
        }
        assertThat(store.verify().ok()).isTrue();
        Row victim = rowWith("lineage.results", result.recordId());
        tamper("UPDATE lineage.results SET status = 200, error_class = NULL WHERE record_id = '" + result.recordId() + "'");
        assertBreak(victim.seq, victim.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.results SET status = 403, error_class = '4xx', bytes = 0 WHERE record_id = '"
                + result.recordId() + "'");
        assertBreak(victim.seq, victim.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.results SET bytes = 120 WHERE record_id = '" + result.recordId() + "'");
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void aRefusedConnectionIsStoredAsSentAndAnEditIsFound(@TempDir Path dir) throws Exception {
        SessionRefused refused = SessionRefused.of("pg", "prod", dev.airlock.config.Protocol.POSTGRES, "10.0.0.9:40000",
                "psql", "authentication_failed", "token rejected: the token has expired");
        try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
            w.appendCommitted(refused).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(store.verify().ok()).isTrue();
        assertThat(store.queries().query("SELECT listener, connection, protocol, client_address, client_program, failure, "
                + "reason FROM lineage.session_refusals WHERE record_id = ?", refused.recordId()).rows())
                .containsExactly(List.of("pg", "prod", "postgres", "10.0.0.9:40000", "psql", "authentication_failed",
                        "token rejected: the token has expired"));
        Row victim = rowWith("lineage.session_refusals", refused.recordId());
        tamper("UPDATE lineage.session_refusals SET failure = 'unknown_connection'");
        assertBreak(victim.seq, victim.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.session_refusals SET failure = 'authentication_failed'");
        assertThat(store.verify().ok()).isTrue();
        tamper("DELETE FROM lineage.session_refusals");
        assertThat(store.verify().ok()).isFalse();
    }

    @Test
    void pinpointsAnEditedVoterEmail() throws Exception {
        ApprovalStore approvals = store.approvals("main");
        UUID request = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(request));
        UUID vote = LineageIds.next();
        approvals.castVote(vote, request, "bob", "bob@example.com", ApprovalVote.Choice.APPROVE, "web", null, 2,
                java.time.Instant.now(), null);
        assertThat(store.verify().ok()).isTrue();
        tamper("UPDATE lineage.approval_votes SET voter_email = 'mallory@example.com' WHERE vote_id = '" + vote + "'");
        Row victim = rowWhere("lineage.approval_votes", "vote_id = '" + vote + "'");
        assertBreak(victim.seq, victim.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsAnEditedOrDeletedRefusalAndRejectedDelivery() throws Exception {
        ApprovalStore approvals = store.approvals("main");
        UUID request = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(request));
        java.time.Instant at = java.time.Instant.now();
        approvals.recordRefusal(request, "agent-7", null, "slack", "approve", "self_approval", at);
        approvals.recordRejectedInteraction(new ApprovalStore.RejectedInteraction("slack-http", "bad signature",
                request.toString(), "UEVIL", "127.0.0.1:4000", "ab".repeat(32), at));
        approvals.recordRefusal(request, "eve", "eve@example.com", "web", "deny", "not_approver", at);
        assertThat(store.verify().ok()).isTrue();
        Row refusal = rowWhere("lineage.approval_refusals", "voter = 'agent-7'");
        Row delivery = rowWhere("lineage.approval_rejected_interactions", "claimed_user = 'UEVIL'");

        tamper("UPDATE lineage.approval_rejected_interactions SET reason = 'ok', claimed_user = 'U0BOSS'");
        assertBreak(delivery.seq, delivery.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.approval_refusals SET rejection = 'expired' WHERE voter = 'agent-7'");
        assertBreak(refusal.seq, refusal.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.approval_refusals SET refusal_id = refusal_id + 100 WHERE voter = 'agent-7'");
        tamper("UPDATE lineage.approval_refusals SET rejection = 'self_approval' WHERE voter = 'agent-7'");
        assertBreak(refusal.seq, refusal.id, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
        tamper("UPDATE lineage.approval_refusals SET refusal_id = refusal_id - 100 WHERE voter = 'agent-7'");
        tamper("UPDATE lineage.approval_rejected_interactions SET reason = 'bad signature', claimed_user = 'UEVIL'");
        assertThat(store.verify().ok()).isTrue();

        tamper("DELETE FROM lineage.approval_rejected_interactions");
        assertBreak(delivery.seq + 1, rowWhere("lineage.approval_refusals", "voter = 'eve'").id,
                ChainVerifier.Problem.SEQUENCE_GAP);
    }

    @Test
    void aRefusalNeedsARecordAndOneOutsideTheChainIsFound() throws Exception {
        ApprovalStore approvals = store.approvals("main");
        UUID request = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(request));
        String columns = "INSERT INTO lineage.approval_refusals (request_id, at, voter, channel, vote, rejection, record_id) "
                + "VALUES ('" + request + "', now(), 'mallory', 'web', 'approve', 'not_approver', ";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tamper(columns + "NULL)"))
                .hasMessageContaining("approval_refusals_record_id");
        tamper(columns + "gen_random_uuid())");
        ChainVerifier.Break b = store.verify().firstBreak().orElseThrow();
        assertThat(b.problem()).isEqualTo(ChainVerifier.Problem.UNCHAINED_ROW);
        assertThat(b.detail()).contains("lineage.approval_refusals");
    }

    private void assertBreak(long seq, UUID id, ChainVerifier.Problem problem) {
        ChainVerifier.Report r = store.verify();
        assertThat(r.ok()).isFalse();
        ChainVerifier.Break b = r.firstBreak().orElseThrow();
        assertThat(b.problem()).as(b.detail()).isEqualTo(problem);
        assertThat(b.seq()).isEqualTo(seq);
        assertThat(b.recordId()).isEqualTo(id);
    }

    record Row(String table, long seq, UUID id) {}

    private Row rowAt(long seq) throws Exception {
        for (Table t : Table.values()) {
            try (Connection c = store.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT record_id FROM " + t.tableName() + " WHERE seq = ?")) {
                ps.setLong(1, seq);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Row(t.tableName(), seq, rs.getObject(1, UUID.class));
                    }
                }
            }
        }
        throw new AssertionError("no record with seq " + seq);
    }

    private Row rowWith(String table, UUID recordId) throws Exception {
        return rowWhere(table, "record_id = '" + recordId + "'");
    }

    private Row rowWhere(String table, String condition) throws Exception {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq, record_id FROM " + table + " WHERE " + condition)) {
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row of %s where %s", table, condition).isTrue();
                return new Row(table, rs.getLong(1), rs.getObject(2, UUID.class));
            }
        }
    }

    /** The n-th row (1-based, in chain order) of a table. */
    private Row rowOf(String table, int n) throws Exception {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT seq, record_id FROM " + table + " ORDER BY seq OFFSET ? LIMIT 1")) {
            ps.setInt(1, n - 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return new Row(table, rs.getLong(1), rs.getObject(2, UUID.class));
            }
        }
    }

    /** What an attacker with superuser rights does: switch triggers off and change history. */
    private void tamper(String sql) throws Exception {
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            s.execute(sql);
            s.execute("SET session_replication_role = origin");
        }
    }

    /** Recomputes a row's hash from its (edited) content, as an attacker who knows the chain rule would. */
    private void rehash(Table t, long seq) throws Exception {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + Records.selectList(t, "t") + " FROM " + t.tableName()
                     + " t WHERE seq = ?")) {
            ps.setLong(1, seq);
            byte[] hash;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Records.Stored row = Records.read(t, rs);
                Sink canon = new Sink(1024);
                Records.canonical(canon, row.envelope(), row.chain(), row.seq());
                hash = Hashing.link(row.prevHash(), canon.toByteArray());
            }
            try (Statement s = c.createStatement();
                 PreparedStatement up = c.prepareStatement("UPDATE " + t.tableName() + " SET record_hash = ? WHERE seq = ?")) {
                s.execute("SET session_replication_role = replica");
                up.setBytes(1, hash);
                up.setLong(2, seq);
                up.executeUpdate();
                s.execute("SET session_replication_role = origin");
            }
        }
    }
}
