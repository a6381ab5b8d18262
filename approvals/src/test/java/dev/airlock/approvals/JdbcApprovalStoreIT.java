package dev.airlock.approvals;

import static dev.airlock.approvals.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.LineageStore;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class JdbcApprovalStoreIT {

    private static JdbcApprovalStore store(TestDatabase db) {
        LineageStore.migrate(db.dataSource());
        return new JdbcApprovalStore(db.dataSource(), "test");
    }

    private static ApprovalRequest request(Duration timeout, Duration grant) {
        Instant now = Instant.now();
        return new ApprovalRequest(UUID.randomUUID().toString(),
                profile(2, timeout, Duration.ofMinutes(1), grant, List.of("slack:#db", "web")), AGENT_FOR_ALICE,
                update("UPDATE t SET x = 1").digest(), "UPDATE t SET x = 1", "prod-db", "postgres", "v1",
                List.of("agent-writes-need-a-dba"), "why", "stated", "1 row", List.of("public.t"), now, now.plus(timeout),
                "replica-a", UUID.randomUUID(), null);
    }

    @Test
    void roundTripsTheRequestWithItsDelegationChainAndProfile(TestDatabase db) {
        try (JdbcApprovalStore s = store(db)) {
            ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ZERO);
            s.create(r);
            StoredApproval got = s.find(r.id()).orElseThrow();
            assertThat(got.state()).isEqualTo(ApprovalState.PENDING);
            assertThat(got.request().profile()).isEqualTo(r.profile());
            assertThat(got.request().requester().chainSubjects()).containsExactly("alice", "agent-7");
            assertThat(got.request().requester().actors().get(0).claims()).containsEntry("email", "agent-7@bots.example.com");
            assertThat(got.request().expiresAt()).isEqualTo(r.expiresAt());
            assertThat(got.request().sessionId()).isEqualTo(r.sessionId());
            assertThat(s.pending()).extracting(StoredApproval::id).containsExactly(r.id());
            assertThat(s.find("not-a-uuid")).isEmpty();
            assertThat(s.find(UUID.randomUUID().toString())).isEmpty();
        }
    }

    @Test
    void votesAreCountedOncePerVoterAndOnlyWhilePending(TestDatabase db) {
        try (JdbcApprovalStore s = store(db)) {
            ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ZERO);
            s.create(r);
            Instant now = Instant.now();
            assertThat(s.castVote(new VoteRecord(r.id(), "bob", "bob@example.com", "slack", Vote.APPROVE, null, null, now), 2)
                    .status()).isEqualTo(ApprovalStore.Cast.Status.RECORDED);
            assertThat(s.castVote(new VoteRecord(r.id(), "bob", "bob@example.com", "rest", Vote.APPROVE, null, null, now), 2)
                    .status()).isEqualTo(ApprovalStore.Cast.Status.ALREADY_VOTED);
            assertThat(s.compareAndSet(r.id(), ApprovalState.DENIED, "carol", "rest", "no", now)).isTrue();
            ApprovalStore.Cast late = s.castVote(new VoteRecord(r.id(), "erin", null, "rest", Vote.APPROVE, null, null, now), 2);
            assertThat(late.status()).isEqualTo(ApprovalStore.Cast.Status.NOT_PENDING);
            assertThat(late.decidedBy()).isEqualTo("carol");
            assertThat(s.votes(r.id())).extracting(VoteRecord::voterSubject, VoteRecord::voterEmail)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("bob", "bob@example.com"));
            StoredApproval fin = s.find(r.id()).orElseThrow();
            assertThat(fin.state()).isEqualTo(ApprovalState.DENIED);
            assertThat(fin.decidedBy()).isEqualTo("carol");
            assertThat(fin.reason()).isEqualTo("no");
            s.recordRefusal(new VoteRecord(r.id(), "slack:UBOT", null, "slack", Vote.APPROVE, null, VoteRejection.BOT_USER, now));
            assertThat(s.refusals(r.id())).containsExactly("slack:UBOT bot_user");
        }
    }

    @Test
    void concurrentCompareAndSetHasExactlyOneWinner(TestDatabase db) throws Exception {
        try (JdbcApprovalStore s = store(db)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 10; round++) {
                    ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ZERO);
                    s.create(r);
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Boolean>> fs = new ArrayList<>();
                    ApprovalState[] to = {ApprovalState.APPROVED, ApprovalState.DENIED, ApprovalState.EXPIRED, ApprovalState.CANCELLED};
                    for (ApprovalState st : to) {
                        Callable<Boolean> c = () -> {
                            go.await();
                            return s.compareAndSet(r.id(), st, "x", null, null, Instant.now());
                        };
                        fs.add(pool.submit(c));
                    }
                    go.countDown();
                    int winners = 0;
                    for (Future<Boolean> f : fs) {
                        winners += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
                    }
                    assertThat(winners).isEqualTo(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void approvalStateCannotBeRewrittenInTheDatabase(TestDatabase db) throws Exception {
        try (JdbcApprovalStore s = store(db)) {
            ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ZERO);
            s.create(r);
            s.addDelivery(r.id(), "slack:#db", "C1/1.2");
            s.compareAndSet(r.id(), ApprovalState.APPROVED, "bob", "slack", null, Instant.now());
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.executeUpdate("UPDATE lineage.approval_requests SET state = 'denied'"))
                        .hasMessageContaining("only a pending -> terminal state change");
                assertThatThrownBy(() -> st.executeUpdate("DELETE FROM lineage.approval_deliveries"))
                        .hasMessageContaining("append-only");
                assertThatThrownBy(() -> st.executeUpdate("UPDATE lineage.approval_details SET owner = 'x'"))
                        .hasMessageContaining("append-only");
            }
            assertThat(s.deliveries(r.id())).containsExactly(new ApprovalStore.Delivery("slack:#db", "C1/1.2"));
        }
    }

    @Test
    void grantIsFoundOnlyForTheSameActionRequesterConnectionAndPolicyWithinTheWindow(TestDatabase db) {
        try (JdbcApprovalStore s = store(db)) {
            ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ofMinutes(10));
            s.create(r);
            assertThat(s.findGrant(r.actionDigest(), r.requesterKey(), "prod-db", "v1", Instant.now().minusSeconds(600))).isEmpty();
            s.compareAndSet(r.id(), ApprovalState.APPROVED, "bob", "slack", null, Instant.now());
            assertThat(s.findGrant(r.actionDigest(), r.requesterKey(), "prod-db", "v1", Instant.now().minusSeconds(600)))
                    .map(StoredApproval::id).contains(r.id());
            assertThat(s.findGrant(r.actionDigest(), ApprovalRequest.requesterKey(BOB), "prod-db", "v1", Instant.now().minusSeconds(600))).isEmpty();
            assertThat(s.findGrant("other", r.requesterKey(), "prod-db", "v1", Instant.now().minusSeconds(600))).isEmpty();
            assertThat(s.findGrant(r.actionDigest(), r.requesterKey(), "prod-db", "v1", Instant.now().plusSeconds(1))).isEmpty();
            assertThat(s.findGrant(r.actionDigest(), r.requesterKey(), "prod-db", "v2", Instant.now().minusSeconds(600))).isEmpty();
        }
    }

    @Test
    void stateChangesAreNotifiedToSubscribers(TestDatabase db) throws Exception {
        try (JdbcApprovalStore s = store(db); JdbcApprovalStore other = new JdbcApprovalStore(db.dataSource(), "other")) {
            BlockingQueue<String> woken = new LinkedBlockingQueue<>();
            try (AutoCloseable sub = other.subscribe(woken::add)) {
                ApprovalRequest r = request(Duration.ofMinutes(5), Duration.ZERO);
                s.create(r);
                assertThat(woken.poll(10, TimeUnit.SECONDS)).isEqualTo(r.id()); // creation is notified too
                s.compareAndSet(r.id(), ApprovalState.CANCELLED, null, null, "gone", Instant.now());
                assertThat(woken.poll(10, TimeUnit.SECONDS)).isEqualTo(r.id());
            }
        }
    }
}
