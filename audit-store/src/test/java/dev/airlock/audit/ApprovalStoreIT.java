package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

@ExtendWith(PostgresExtension.class)
class ApprovalStoreIT {

    private LineageStore store;
    private ApprovalStore approvals;

    static NewApproval request(UUID id) {
        return request(id, Instant.now().plus(Duration.ofMinutes(15)));
    }

    static NewApproval request(UUID id, Instant expires) {
        return new NewApproval(id, null, "d".repeat(64), UUID.randomUUID(), Samples.agentForAlice(), "prod",
                Samples.POLICY, "dba", List.of("group:dba"), List.of("slack:#db-approvals", "web"),
                "UPDATE customers SET tier = $1 WHERE id = 7", expires);
    }

    @BeforeEach
    void open(TestDatabase db) {
        store = LineageStore.open(new StoreConfig(db.jdbcUrl(), db.user(), db.password(), 12, Duration.ofSeconds(2)));
        approvals = store.approvals("main");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void createsAPendingRequestBoundToTheAction() {
        UUID id = UUID.randomUUID();
        ApprovalRequest r = approvals.create(request(id));
        assertThat(r.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(r.subject()).isEqualTo("alice");
        assertThat(r.chainSubjects()).containsExactly("alice", "agent-7");
        assertThat(r.actionDigest()).isEqualTo("d".repeat(64));
        assertThat(r.approvers()).containsExactly("group:dba");
        assertThat(r.channels()).containsExactly("slack:#db-approvals", "web");
        assertThat(approvals.pending()).extracting(ApprovalRequest::requestId).containsExactly(id);
    }

    @Test
    void recordsVotesAndTheWinningStateChangeWithHistory() {
        UUID id = UUID.randomUUID();
        approvals.create(request(id));
        assertThat(approvals.recordVote(id, "bob", ApprovalVote.Choice.APPROVE, "slack", "ok")).isPresent();
        assertThat(approvals.compareAndSet(id, ApprovalState.APPROVED, "bob", "slack", "quorum 1/1")).isTrue();
        assertThat(approvals.compareAndSet(id, ApprovalState.DENIED, "carol", "web", "too late")).isFalse();
        assertThat(approvals.recordVote(id, "carol", ApprovalVote.Choice.DENY, "web", "too late")).isEmpty();

        ApprovalRequest r = approvals.find(id).orElseThrow();
        assertThat(r.state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(r.decidedBy()).isEqualTo("bob");
        assertThat(approvals.votes(id)).extracting(ApprovalVote::voter).containsExactly("bob");
        assertThat(approvals.pending()).isEmpty();
        assertThat(store.queries().query("SELECT from_state, to_state, by_subject FROM lineage.approval_state_changes "
                + "WHERE request_id = ?", id).rows()).containsExactly(List.of("pending", "approved", "bob"));
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void refusesToApproveAnExpiredRequestButExpiresIt() {
        UUID id = UUID.randomUUID();
        approvals.create(request(id, Instant.now().minusSeconds(1)));
        assertThat(approvals.compareAndSet(id, ApprovalState.APPROVED, "bob", "web", null)).isFalse();
        assertThat(approvals.compareAndSet(id, ApprovalState.EXPIRED, null, null, "timeout")).isTrue();
        assertThat(approvals.find(id).orElseThrow().state()).isEqualTo(ApprovalState.EXPIRED);
    }

    @Test
    void exactlyOneOfTwoConcurrentCompareAndSetsWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 25; round++) {
                UUID id = UUID.randomUUID();
                approvals.create(request(id));
                CountDownLatch go = new CountDownLatch(1);
                Future<Boolean> a = pool.submit(() -> {
                    go.await();
                    return approvals.compareAndSet(id, ApprovalState.APPROVED, "bob", "slack", null);
                });
                Future<Boolean> d = pool.submit(() -> {
                    go.await();
                    return approvals.compareAndSet(id, ApprovalState.DENIED, "carol", "teams", null);
                });
                go.countDown();
                boolean approved = a.get(30, TimeUnit.SECONDS);
                boolean denied = d.get(30, TimeUnit.SECONDS);
                assertThat(approved ^ denied).as("round %d: approved=%s denied=%s", round, approved, denied).isTrue();
                assertThat(approvals.find(id).orElseThrow().state())
                        .isEqualTo(approved ? ApprovalState.APPROVED : ApprovalState.DENIED);
                assertThat(store.queries().query("SELECT count(*) FROM lineage.approval_state_changes WHERE request_id = ?", id)
                        .rows()).containsExactly(List.of(1L));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void notifiesEveryStateChange() throws Exception {
        try (Connection listener = store.dataSource().getConnection()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + ApprovalStore.CHANNEL);
            }
            UUID id = UUID.randomUUID();
            approvals.create(request(id));
            approvals.compareAndSet(id, ApprovalState.CANCELLED, null, null, "agent gone");
            List<String> got = new ArrayList<>();
            PGConnection pg = listener.unwrap(PGConnection.class);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < 2 && System.nanoTime() < deadline) {
                PGNotification[] ns = pg.getNotifications(500);
                if (ns != null) {
                    for (PGNotification n : ns) {
                        assertThat(n.getName()).isEqualTo(ApprovalStore.CHANNEL);
                        got.add(n.getParameter());
                    }
                }
            }
            assertThat(got).containsExactly(id.toString(), id.toString());
        }
    }

    @Test
    void rejectsTamperingWithADecidedRequest() throws Exception {
        UUID id = UUID.randomUUID();
        approvals.create(request(id));
        approvals.recordVote(id, "bob", ApprovalVote.Choice.DENY, "web", "no");
        approvals.compareAndSet(id, ApprovalState.DENIED, "bob", "web", "no");
        for (String sql : List.of("UPDATE lineage.approval_requests SET state = 'approved'",
                "UPDATE lineage.approval_requests SET profile = 'none'",
                "DELETE FROM lineage.approval_requests",
                "DELETE FROM lineage.approval_votes",
                "UPDATE lineage.approval_state_changes SET to_state = 'approved'")) {
            try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute(sql)).as(sql)
                        .hasMessageContaining("lineage.approval_");
            }
        }
        assertThat(approvals.find(id).orElseThrow().state()).isEqualTo(ApprovalState.DENIED);
    }
}
