package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.internal.Hashing;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
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
        UUID victim = idAt(13);
        tamper("UPDATE lineage.record SET body = replace(body, 'alice', 'mallory') WHERE seq = 13");
        assertBreak(13, victim, ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
    }

    @Test
    void pinpointsAnEditedRowWhoseHashWasRecomputed() throws Exception {
        tamper("UPDATE lineage.record SET body = replace(body, 'agents-read', 'anything-goes') WHERE seq = 4");
        rehash(4);
        assertBreak(5, idAt(5), ChainVerifier.Problem.PREVIOUS_HASH_MISMATCH);
    }

    @Test
    void pinpointsADeletedRow() throws Exception {
        UUID after = idAt(8);
        tamper("DELETE FROM lineage.record WHERE seq = 7");
        assertBreak(8, after, ChainVerifier.Problem.SEQUENCE_GAP);
    }

    @Test
    void pinpointsReorderedRows() throws Exception {
        UUID moved = idAt(10);
        tamper("UPDATE lineage.record SET seq = -1 WHERE seq = 9");
        tamper("UPDATE lineage.record SET seq = 9 WHERE seq = 10");
        tamper("UPDATE lineage.record SET seq = 10 WHERE seq = -1");
        assertBreak(9, moved, ChainVerifier.Problem.PREVIOUS_HASH_MISMATCH);
    }

    @Test
    void pinpointsADeletedTail() throws Exception {
        UUID last = idAt(34);
        tamper("DELETE FROM lineage.record WHERE seq = 35");
        assertBreak(34, last, ChainVerifier.Problem.TAIL_MISSING);
    }

    private void assertBreak(long seq, UUID id, ChainVerifier.Problem problem) {
        ChainVerifier.Report r = store.verify();
        assertThat(r.ok()).isFalse();
        ChainVerifier.Break b = r.firstBreak().orElseThrow();
        assertThat(b.seq()).isEqualTo(seq);
        assertThat(b.recordId()).isEqualTo(id);
        assertThat(b.problem()).isEqualTo(problem);
    }

    private UUID idAt(long seq) throws Exception {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT record_id FROM lineage.record WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1, UUID.class);
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

    private void rehash(long seq) throws Exception {
        try (Connection c = store.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT chain, record_id, kind, at, body, prev_hash FROM lineage.record WHERE seq = ?")) {
            ps.setLong(1, seq);
            byte[] hash;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                var at = rs.getObject(4, OffsetDateTime.class).toInstant();
                hash = Hashing.link(rs.getBytes(6), Hashing.canonical(rs.getString(1), seq, rs.getObject(2, UUID.class),
                        rs.getString(3), at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000, rs.getString(5)));
            }
            try (Statement s = c.createStatement();
                 PreparedStatement up = c.prepareStatement("UPDATE lineage.record SET hash = ? WHERE seq = ?")) {
                s.execute("SET session_replication_role = replica");
                up.setBytes(1, hash);
                up.setLong(2, seq);
                up.executeUpdate();
                s.execute("SET session_replication_role = origin");
            }
        }
    }
}
