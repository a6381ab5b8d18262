package dev.airlock.approvals.slack;

import static dev.airlock.approvals.Fixtures.*;
import static dev.airlock.approvals.slack.SlackHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.ApprovalStore;
import dev.airlock.approvals.JdbcApprovalStore;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.testing.slack.SlackStandIn;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole path on the real lineage store: Slack stand-in → channel → service → PostgreSQL, with replicas and restarts. */
@ExtendWith(PostgresExtension.class)
class ApprovalsOnPostgresIT {

    private static final long WAIT = 10_000;

    private static LineageStore lineage(TestDatabase db) {
        return LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
    }

    private static ApprovalProfile dba(Duration timeout) {
        return profile(timeout, List.of("slack:#db-approvals"));
    }

    private record Posted(PendingApproval future, String ts) {
    }

    private static Posted ask(SlackStandIn slack, SlackHarness h, ApprovalStore store, ApprovalProfile p) throws Exception {
        PendingApproval f = h.service.request(update("UPDATE orders SET total = 0 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        SlackStandIn.Call post = slack.await("chat.postMessage", c -> c.param("blocks").contains(f.requestId()), WAIT);
        return new Posted(f, post.response().get("ts").getAsString());
    }

    private static void click(SlackStandIn slack, SlackHarness h, String user, String action, Posted p) throws Exception {
        h.click(slack, ClickDriver.blockActions(user, SlackStandIn.TEAM, SlackStandIn.APP, p.future().requestId(), action,
                p.ts(), ClickDriver.nextActionTs()));
    }

    private static void cardUpdated(SlackStandIn slack, Posted p, String contains) throws InterruptedException {
        slack.await("chat.update", c -> p.ts().equals(c.param("ts")) && c.param("blocks").contains(contains), WAIT);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void approveDenyTimeoutAndAgentGoneOnTheLineageStore(Transport t, TestDatabase db) throws Exception {
        try (LineageStore ls = lineage(db); JdbcApprovalStore store = new JdbcApprovalStore(ls.dataSource(), "replica-a");
             SlackStandIn slack = new SlackStandIn(); SlackHarness h = new SlackHarness(slack, store, t, "replica-a")) {
            Posted approve = ask(slack, h, store, dba(Duration.ofMinutes(5)));
            click(slack, h, U_BOT, "airlock.approve", approve);
            slack.await("chat.postEphemeral", c -> U_BOT.equals(c.param("user")), WAIT);
            click(slack, h, U_ALICE, "airlock.approve", approve);
            slack.await("chat.postEphemeral", c -> U_ALICE.equals(c.param("user")), WAIT);
            click(slack, h, U_BOB, "airlock.approve", approve);
            assertThat(approve.future().get(WAIT, TimeUnit.MILLISECONDS)).isInstanceOf(ApprovalOutcome.Approved.class);
            cardUpdated(slack, approve, "Approved by bob@example.com");
            assertThat(store.refusals(approve.future().requestId()))
                    .containsExactly("slack:" + U_BOT + " bot_user", "alice self_approval");

            Posted deny = ask(slack, h, store, dba(Duration.ofMinutes(5)));
            click(slack, h, U_CAROL, "airlock.deny", deny);
            slack.await("views.open", c -> c.param("view").contains(deny.future().requestId()), WAIT);
            h.click(slack, ClickDriver.viewSubmission(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP,
                    deny.future().requestId(), "freeze"));
            ApprovalOutcome.Denied d = (ApprovalOutcome.Denied) deny.future().get(WAIT, TimeUnit.MILLISECONDS);
            assertThat(d.by().display()).isEqualTo("carol@example.com");
            cardUpdated(slack, deny, "Denied by carol@example.com: freeze");

            Posted timeout = ask(slack, h, store, dba(Duration.ofMillis(1500)));
            assertThat(timeout.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.EXPIRED);
            cardUpdated(slack, timeout, "Expired");
            click(slack, h, U_BOB, "airlock.approve", timeout);
            slack.await("chat.postEphemeral", c -> U_BOB.equals(c.param("user")) && c.param("text").contains("expired"), WAIT);

            Posted gone = ask(slack, h, store, dba(Duration.ofMinutes(5)));
            gone.future().cancel(true);
            cardUpdated(slack, gone, "Cancelled: the agent went away");
            assertThat(store.find(gone.future().requestId()).orElseThrow().state()).isEqualTo(ApprovalState.CANCELLED);
        }
    }

    @Test
    void aClickOnOneReplicaWakesTheWaiterOnAnotherThroughNotify(TestDatabase db) throws Exception {
        try (LineageStore ls = lineage(db);
             JdbcApprovalStore storeA = new JdbcApprovalStore(ls.dataSource(), "replica-a");
             JdbcApprovalStore storeB = new JdbcApprovalStore(ls.dataSource(), "replica-b");
             SlackStandIn slack = new SlackStandIn();
             // polling every minute: only NOTIFY can wake replica A within the test's wait
             SlackHarness a = new SlackHarness(slack, storeA, Transport.SOCKET_MODE, "replica-a", Duration.ofMinutes(1));
             SlackHarness b = new SlackHarness(slack, storeB, Transport.HTTP, "replica-b", Duration.ofMinutes(1))) {
            Posted p = ask(slack, a, storeA, dba(Duration.ofMinutes(5)));
            long t0 = System.nanoTime();
            click(slack, b, U_BOB, "airlock.approve", p);
            assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
            cardUpdated(slack, p, "Approved by bob@example.com"); // by replica B, from the stored delivery
        }
    }

    @Test
    void pollingWakesTheWaiterWhenNotificationsAreLost(TestDatabase db) throws Exception {
        try (LineageStore ls = lineage(db);
             JdbcApprovalStore real = new JdbcApprovalStore(ls.dataSource(), "replica-a");
             JdbcApprovalStore storeB = new JdbcApprovalStore(ls.dataSource(), "replica-b");
             SlackStandIn slack = new SlackStandIn()) {
            ApprovalStore deaf = new DeafStore(real);
            try (SlackHarness a = new SlackHarness(slack, deaf, Transport.SOCKET_MODE, "replica-a", Duration.ofMillis(300));
                 SlackHarness b = new SlackHarness(slack, storeB, Transport.HTTP, "replica-b", Duration.ofMinutes(1))) {
                Posted p = ask(slack, a, real, dba(Duration.ofMinutes(5)));
                click(slack, b, U_CAROL, "airlock.deny", p);
                slack.await("views.open", c -> c.param("view").contains(p.future().requestId()), WAIT);
                b.click(slack, ClickDriver.viewSubmission(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP, p.future().requestId(), "no"));
                assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.DENIED);
            }
        }
    }

    @Test
    void restartCancelsPendingRequestsWhoseConnectionIsGoneAndUpdatesTheirCards(TestDatabase db) throws Exception {
        try (LineageStore ls = lineage(db); JdbcApprovalStore store = new JdbcApprovalStore(ls.dataSource(), "replica-a");
             SlackStandIn slack = new SlackStandIn()) {
            Posted p;
            Posted other;
            try (SlackHarness before = new SlackHarness(slack, store, Transport.HTTP, "replica-a");
                 SlackHarness otherReplica = new SlackHarness(slack, store, Transport.HTTP, "replica-b")) {
                p = ask(slack, before, store, dba(Duration.ofMinutes(5)));
                other = ask(slack, otherReplica, store, dba(Duration.ofMinutes(5)));
                assertThat(store.pending()).hasSize(2);
            }
            // replica-a comes back: its own pending request lost its connection; replica-b's is not its business
            try (SlackHarness after = new SlackHarness(slack, store, Transport.HTTP, "replica-a")) {
                assertThat(store.find(p.future().requestId()).orElseThrow().state()).isEqualTo(ApprovalState.CANCELLED);
                assertThat(store.find(p.future().requestId()).orElseThrow().reason()).contains("Airlock restarted");
                cardUpdated(slack, p, "Airlock restarted");
                assertThat(store.find(other.future().requestId()).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
                click(slack, after, U_BOB, "airlock.approve", p);
                slack.await("chat.postEphemeral", c -> U_BOB.equals(c.param("user"))
                        && c.param("text").contains("already cancelled"), WAIT);
            }
        }
    }

    /** A store whose notifications never arrive. */
    private static final class DeafStore implements ApprovalStore {
        private final ApprovalStore d;

        DeafStore(ApprovalStore d) {
            this.d = d;
        }

        @Override
        public void create(dev.airlock.approvals.ApprovalRequest request) {
            d.create(request);
        }

        @Override
        public java.util.Optional<dev.airlock.approvals.StoredApproval> find(String requestId) {
            return d.find(requestId);
        }

        @Override
        public List<dev.airlock.approvals.StoredApproval> pending() {
            return d.pending();
        }

        @Override
        public Cast castVote(dev.airlock.approvals.VoteRecord vote, int quorum) {
            return d.castVote(vote, quorum);
        }

        @Override
        public void recordRejectedDelivery(dev.airlock.approvals.RejectedDelivery r) {
            d.recordRejectedDelivery(r);
        }

        @Override
        public List<dev.airlock.approvals.VoteRecord> votes(String requestId) {
            return d.votes(requestId);
        }

        @Override
        public void recordRefusal(dev.airlock.approvals.VoteRecord refused) {
            d.recordRefusal(refused);
        }

        @Override
        public boolean compareAndSet(String id, ApprovalState to, String by, String channel, String reason, java.time.Instant at) {
            return d.compareAndSet(id, to, by, channel, reason, at);
        }

        @Override
        public java.util.Optional<dev.airlock.approvals.StoredApproval> findGrant(String digest, String key, String conn,
                                                                                 String policy, java.time.Instant since) {
            return d.findGrant(digest, key, conn, policy, since);
        }

        @Override
        public ApprovalState addDelivery(String requestId, String channel, String ref) {
            return d.addDelivery(requestId, channel, ref);
        }

        @Override
        public List<Delivery> deliveries(String requestId) {
            return d.deliveries(requestId);
        }

        @Override
        public AutoCloseable subscribe(java.util.function.Consumer<String> listener) {
            return () -> { };
        }
    }
}
