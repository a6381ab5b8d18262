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

    private VoteCast cast(UUID id, String voter, ApprovalVote.Choice choice, int quorum) {
        return approvals.castVote(UUID.randomUUID(), id, voter, voter + "@example.com", choice, "slack",
                choice == ApprovalVote.Choice.DENY ? "no" : null, quorum, Instant.now(), null);
    }

    @Test
    void castVoteRecordsUntilTheQuorumDecidesInOneTransaction() {
        UUID id = UUID.randomUUID();
        approvals.create(request(id), null);
        VoteCast first = cast(id, "bob", ApprovalVote.Choice.APPROVE, 2);
        assertThat(first.status()).isEqualTo(VoteCast.Status.RECORDED);
        assertThat(first.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(cast(id, "bob", ApprovalVote.Choice.APPROVE, 2).status()).isEqualTo(VoteCast.Status.ALREADY_VOTED);
        VoteCast second = cast(id, "carol", ApprovalVote.Choice.APPROVE, 2);
        assertThat(second.status()).isEqualTo(VoteCast.Status.DECIDED);
        assertThat(second.state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(second.decidedBy()).isEqualTo("carol");
        assertThat(second.votes()).extracting(ApprovalVote::voter).containsExactly("bob", "carol");
        VoteCast late = cast(id, "dave", ApprovalVote.Choice.DENY, 2);
        assertThat(late.status()).isEqualTo(VoteCast.Status.NOT_PENDING);
        assertThat(late.state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(late.decidedBy()).isEqualTo("carol");
        assertThat(approvals.votes(id)).extracting(ApprovalVote::voterEmail).containsExactly("bob@example.com", "carol@example.com");
        assertThat(store.queries().query("SELECT to_state, by_subject FROM lineage.approval_state_changes WHERE request_id = ?", id)
                .rows()).containsExactly(List.of("approved", "carol"));
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void castVoteDeniesAtOnceAndRefusesPastTheDeadline() {
        UUID id = UUID.randomUUID();
        approvals.create(request(id), null);
        VoteCast deny = cast(id, "carol", ApprovalVote.Choice.DENY, 3);
        assertThat(deny.status()).isEqualTo(VoteCast.Status.DECIDED);
        assertThat(deny.state()).isEqualTo(ApprovalState.DENIED);
        assertThat(deny.reason()).isEqualTo("no");
        assertThat(approvals.find(id).orElseThrow().decidedReason()).isEqualTo("no");

        UUID old = UUID.randomUUID();
        approvals.create(request(old, Instant.now().minusSeconds(1)), null);
        VoteCast late = cast(old, "bob", ApprovalVote.Choice.APPROVE, 1);
        assertThat(late.status()).isEqualTo(VoteCast.Status.PAST_DEADLINE);
        assertThat(approvals.votes(old)).isEmpty();
        assertThat(approvals.find(old).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
    }

    @Test
    void concurrentApproveAndDenyVotesHaveOneWinner() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                UUID id = UUID.randomUUID();
                approvals.create(request(id), null);
                CountDownLatch go = new CountDownLatch(1);
                Future<VoteCast> a = pool.submit(() -> {
                    go.await();
                    return cast(id, "bob", ApprovalVote.Choice.APPROVE, 1);
                });
                Future<VoteCast> d = pool.submit(() -> {
                    go.await();
                    return cast(id, "carol", ApprovalVote.Choice.DENY, 1);
                });
                go.countDown();
                VoteCast ra = a.get(30, TimeUnit.SECONDS);
                VoteCast rd = d.get(30, TimeUnit.SECONDS);
                assertThat(ra.status() == VoteCast.Status.DECIDED ^ rd.status() == VoteCast.Status.DECIDED)
                        .as("round %d: %s / %s", round, ra, rd).isTrue();
                assertThat(ra.state()).isEqualTo(rd.state());
                assertThat(store.queries().query("SELECT count(*) FROM lineage.approval_state_changes WHERE request_id = ?", id)
                        .rows()).containsExactly(List.of(1L));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.verify().ok()).isTrue();
    }

    @Test
    void aRefusalWaitsForAVoteHoldingTheRequestInsteadOfDeadlocking() throws Exception {
        UUID id = UUID.randomUUID();
        approvals.create(request(id));
        try (Connection vote = store.dataSource().getConnection(); Statement s = vote.createStatement()) {
            // what castVote holds and then takes: the request's row, then the chain head
            vote.setAutoCommit(false);
            s.execute("SET LOCAL lock_timeout = '10s'");
            s.execute("SELECT 1 FROM lineage.approval_requests WHERE request_id = '" + id + "' FOR UPDATE");
            java.util.concurrent.CompletableFuture<Void> refusal = java.util.concurrent.CompletableFuture.runAsync(() ->
                    approvals.recordRefusal(id, "agent-7", null, "slack", "approve", "self_approval", Instant.now()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.queries().query("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND wait_event_type = 'Lock'").rows().isEmpty()) {
                assertThat(refusal).as("the refusal waits for the request's row").isNotDone();
                assertThat(System.nanoTime()).as("the refusal waits for a lock within 10 s").isLessThan(deadline);
                Thread.onSpinWait();
            }
            s.execute("SELECT seq FROM lineage.chain_head WHERE chain = 'main' FOR UPDATE"); // not held by the refusal
            vote.commit();
            refusal.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.queries().query("SELECT voter, rejection FROM lineage.approval_refusals WHERE request_id = ?", id)
                .rows()).containsExactly(List.of("agent-7", "self_approval"));
        assertThat(store.verify().ok()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> approvals.recordRefusal(UUID.randomUUID(), "eve", null, "web",
                "approve", "not_approver", Instant.now())).hasMessageContaining("expected: an existing request");
    }

    @Test
    void refusedVotesAndRejectedDeliveriesAreOnTheChain() {
        UUID id = UUID.randomUUID();
        approvals.create(request(id), null);
        Instant at = Instant.now();
        approvals.recordRefusal(id, "alice", "alice@example.com", "slack", "approve", "self_approval", at);
        approvals.recordRejectedInteraction(new ApprovalStore.RejectedInteraction("slack-http",
                "X-Slack-Signature: does not match the body", id.toString(), "UEVIL", "127.0.0.1:5555", "ab".repeat(32), at));
        assertThat(store.queries().query("SELECT voter, rejection FROM lineage.approval_refusals WHERE request_id = ?", id)
                .rows()).containsExactly(List.of("alice", "self_approval"));
        assertThat(store.queries().query("SELECT channel, reason, claimed_user FROM lineage.approval_rejected_interactions")
                .rows()).containsExactly(List.of("slack-http", "X-Slack-Signature: does not match the body", "UEVIL"));
        assertThat(store.queries().query("SELECT kind FROM lineage.journal WHERE kind IN ('approval_refusal', "
                + "'approval_interaction_rejected') ORDER BY seq").rows())
                .containsExactly(List.of("approval_refusal"), List.of("approval_interaction_rejected"));
        assertThat(store.verify().ok()).isTrue();
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.execute("DELETE FROM lineage.approval_rejected_interactions"))
                    .hasMessageContaining("append-only");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
