package dev.airlock.approvals.slack;

import static dev.airlock.approvals.Fixtures.*;
import static dev.airlock.approvals.slack.SlackHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.InMemoryStoreAccess;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.approvals.slack.internal.SlackSignature;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.testing.slack.SilentLink;
import dev.airlock.testing.slack.SlackStandIn;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Forged, stale, replayed and misdirected deliveries over HTTP; redelivery and reconnects over Socket Mode. */
class SlackTransportAbuseTest {

    private static final long WAIT = 10_000;
    private SlackStandIn slack;
    private SlackHarness h;
    private final InMemoryStoreAccess store = new InMemoryStoreAccess();

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private PendingApproval ask(int quorum) throws Exception {
        PendingApproval f = h.service.request(update("DELETE FROM orders WHERE id = 42"), AGENT_FOR_ALICE,
                profile(quorum, Duration.ofMinutes(5), null, Duration.ZERO, List.of("slack:#db-approvals")), context());
        slack.await("chat.postMessage", c -> c.param("blocks").contains(f.requestId()), WAIT);
        return f;
    }

    private JsonObject approveBy(String user, PendingApproval f) {
        return ClickDriver.blockActions(user, SlackStandIn.TEAM, SlackStandIn.APP, f.requestId(), "airlock.approve",
                "1001.000100", ClickDriver.nextActionTs());
    }

    private void awaitRejected(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT);
        while (store.rejectedDeliveries().size() < n) { // recorded on the service's worker threads
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rejected deliveries: " + store.rejectedDeliveries() + " (expected: " + n + ")");
            }
            Thread.onSpinWait();
        }
    }

    private static String now() {
        return String.valueOf(System.currentTimeMillis() / 1000);
    }

    private static String sign(String secret, String ts, String body) {
        return new SlackSignature(secret).sign(ts, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void closingDoesNotHangWhenSlackNeverAnswersTheCloseFrame() throws Exception {
        slack = new SlackStandIn();
        try (SilentLink silent = new SilentLink()) {
            slack.linkUrl(silent.url());
            h = new SlackHarness(slack, store.store(), Transport.SOCKET_MODE, "replica-a"); // hello received
            long t0 = System.nanoTime();
            h.close();
            h = null;
            // without a bound it waited for Java-WebSocket's lost-connection check (two 60 s ticks)
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                    .isLessThan(SlackSocketMode.CLOSE_WAIT_MILLIS + 5_000);
        }
    }

    @Test
    void httpRejectsForgedStaleFutureReplayedAndMisdirectedClicks() throws Exception {
        slack = new SlackStandIn();
        h = new SlackHarness(slack, store.store(), Transport.HTTP, "replica-a");
        PendingApproval f = ask(1);
        String body = ClickDriver.form(approveBy(U_BOB, f));

        HttpResponse<String> r = h.driver.post(body, now(), sign("wrong-secret", now(), body));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("does not match");

        r = h.driver.post(body, null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("missing X-Slack-Request-Timestamp");

        String stale = String.valueOf(System.currentTimeMillis() / 1000 - 301);
        r = h.driver.post(body, stale, sign(SECRET, stale, body));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("expected: within 300 s of now");

        String future = String.valueOf(System.currentTimeMillis() / 1000 + 301);
        r = h.driver.post(body, future, sign(SECRET, future, body));
        assertThat(r.statusCode()).isEqualTo(401);

        // the body altered after signing
        String ts = now();
        String sig = sign(SECRET, ts, body);
        r = h.driver.post(body.replace(U_BOB, U_CAROL), ts, sig);
        assertThat(r.statusCode()).isEqualTo(401);

        JsonObject wrongApp = approveBy(U_BOB, f);
        wrongApp.addProperty("api_app_id", "A0EVIL");
        r = h.driver.post(wrongApp);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("wrong app: A0EVIL");

        JsonObject wrongTeam = approveBy(U_BOB, f);
        wrongTeam.getAsJsonObject("team").addProperty("id", "T0EVIL");
        r = h.driver.post(wrongTeam);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("wrong team: T0EVIL");

        assertThat(f).isNotDone();
        assertThat(slack.calls("users.info")).isEmpty();
        // every refusal is recorded in lineage with the request and user it claimed
        awaitRejected(7);
        // recorded off the request thread, on the service's workers: in any order
        assertThat(store.rejectedDeliveries()).extracting(dev.airlock.approvals.RejectedDelivery::reason).containsExactlyInAnyOrder(
                "X-Slack-Signature: does not match the body",
                "missing X-Slack-Request-Timestamp or X-Slack-Signature",
                "X-Slack-Request-Timestamp: " + stale + " (expected: within 300 s of now)",
                "X-Slack-Request-Timestamp: " + future + " (expected: within 300 s of now)",
                "X-Slack-Signature: does not match the body",
                "wrong app: A0EVIL",
                "wrong team: T0EVIL");
        assertThat(store.rejectedDeliveries()).allSatisfy(d -> {
            assertThat(d.channel()).isEqualTo("slack-http");
            assertThat(d.requestId()).isEqualTo(f.requestId());
            assertThat(d.bodyDigest()).hasSize(64);
        });
        assertThat(store.rejectedDeliveries()).extracting(dev.airlock.approvals.RejectedDelivery::claimedUser)
                .containsOnly(U_BOB, U_CAROL).contains(U_CAROL); // the altered body names carol

        // a genuine click, then the very same request replayed
        ts = now();
        sig = sign(SECRET, ts, body);
        assertThat(h.driver.post(body, ts, sig).statusCode()).isEqualTo(200);
        r = h.driver.post(body, ts, sig);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).isEqualTo("replayed interaction");
        assertThat(f.get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        awaitRejected(8);
        assertThat(store.rejectedDeliveries()).extracting(dev.airlock.approvals.RejectedDelivery::reason)
                .contains("replayed interaction");
    }

    @Test
    void socketModeAcksEveryEnvelopeAndIgnoresRedelivery() throws Exception {
        slack = new SlackStandIn();
        h = new SlackHarness(slack, store.store(), Transport.SOCKET_MODE, "replica-a");
        PendingApproval f = ask(2);
        JsonObject click = approveBy(U_BOB, f);
        String env = slack.deliver(click);
        slack.awaitAck(env, WAIT);
        slack.await("chat.postEphemeral", c -> U_BOB.equals(c.param("user")) && c.param("text").contains("1 of 2"), WAIT);
        slack.deliver(click, env); // at-least-once delivery: same envelope again
        slack.awaitAcks(env, 2, WAIT);
        // a click from another app over the socket is dropped too, and recorded
        JsonObject wrongApp = approveBy(U_CAROL, f);
        wrongApp.addProperty("api_app_id", "A0EVIL");
        slack.awaitAck(slack.deliver(wrongApp), WAIT);
        awaitRejected(1);
        assertThat(store.rejectedDeliveries()).singleElement().satisfies(d -> {
            assertThat(d.channel()).isEqualTo("slack-socket-mode");
            assertThat(d.reason()).isEqualTo("wrong app: A0EVIL");
            assertThat(d.claimedUser()).isEqualTo(U_CAROL);
        });
        // carol's genuine click decides; bob's redelivered one never counted twice nor told him twice
        slack.awaitAck(slack.deliver(approveBy(U_CAROL, f)), WAIT);
        assertThat(f.get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(store.store().votes(f.requestId())).extracting(v -> v.voterSubject()).containsExactly("bob", "carol");
        assertThat(slack.calls("chat.postEphemeral")).filteredOn(c -> U_BOB.equals(c.param("user"))).hasSize(1);
    }

    @Test
    void socketModeReconnectsOnDisconnectAndKeepsWorking() throws Exception {
        slack = new SlackStandIn();
        h = new SlackHarness(slack, store.store(), Transport.SOCKET_MODE, "replica-a");
        slack.awaitConnections(1, WAIT);
        slack.disconnect("refresh_requested");
        slack.awaitConnections(2, WAIT);
        assertThat(slack.calls("apps.connections.open")).hasSize(2);
        PendingApproval f = ask(1);
        // wait until the new link said hello before clicking on it
        slack.awaitAck(slack.deliver(approveBy(U_BOB, f)), WAIT);
        assertThat(f.get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
    }
}
