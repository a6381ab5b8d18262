package dev.airlock.approvals.slack;

import static dev.airlock.approvals.Fixtures.*;
import static dev.airlock.approvals.slack.SlackHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.InMemoryStoreAccess;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.testing.slack.SlackStandIn;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Approve / deny / timeout / agent gone, and every abuse case, over Socket Mode and over signed HTTP. */
class SlackApprovalFlowTest {

    private static final long WAIT = 10_000;

    private SlackStandIn slack;
    private SlackHarness h;
    private final InMemoryStoreAccess store = new InMemoryStoreAccess();

    private void start(Transport t) throws Exception {
        slack = new SlackStandIn();
        h = new SlackHarness(slack, store.store(), t, "replica-a");
    }

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (slack != null) {
            slack.close();
        }
    }

    private record Posted(PendingApproval future, String ts) {
    }

    private Posted ask(ApprovalProfile p) throws Exception {
        PendingApproval f = h.service.request(update("UPDATE orders SET total = 0 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        SlackStandIn.Call post = slack.await("chat.postMessage", c -> c.param("blocks") != null
                && c.param("blocks").contains(f.requestId()), WAIT);
        assertThat(post.param("channel")).isEqualTo("#db-approvals");
        assertThat(post.authorization()).isEqualTo("Bearer xoxb-test-bot");
        String ts = post.response().get("ts").getAsString();
        return new Posted(f, ts);
    }

    private static ApprovalProfile dba(Duration timeout) {
        return profile(timeout, List.of("slack:#db-approvals", "web"));
    }

    private void clickButton(String user, String action, Posted p) throws Exception {
        h.click(slack, ClickDriver.blockActions(user, SlackStandIn.TEAM, SlackStandIn.APP, p.future().requestId(),
                action, p.ts(), ClickDriver.nextActionTs()));
    }

    private SlackStandIn.Call ephemeralTo(String user, String contains) throws InterruptedException {
        return slack.await("chat.postEphemeral", c -> user.equals(c.param("user")) && c.param("text").contains(contains), WAIT);
    }

    private void cardUpdated(Posted p, String contains) throws InterruptedException {
        slack.await("chat.update", c -> p.ts().equals(c.param("ts")) && SlackStandIn.CHANNEL_ID.equals(c.param("channel"))
                && c.param("blocks").contains(contains) && !c.param("blocks").contains("airlock.approve"), WAIT);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void approveClickApprovesAndUpdatesTheCard(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        clickButton(U_BOB, "airlock.approve", p);
        ApprovalOutcome.Approved o = (ApprovalOutcome.Approved) p.future().get(WAIT, TimeUnit.MILLISECONDS);
        assertThat(o.approvers()).extracting(a -> a.subject() + "@" + a.channel()).containsExactly("bob@slack");
        cardUpdated(p, "Approved by bob@example.com");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void denyClickAsksForAReasonInAModalThenDenies(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        clickButton(U_CAROL, "airlock.deny", p);
        SlackStandIn.Call modal = slack.await("views.open", c -> c.param("view").contains(p.future().requestId()), WAIT);
        assertThat(modal.param("trigger_id")).isNotBlank();
        assertThat(p.future()).isNotDone();
        h.click(slack, ClickDriver.viewSubmission(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP, p.future().requestId(),
                "no writes during the freeze"));
        ApprovalOutcome.Denied o = (ApprovalOutcome.Denied) p.future().get(WAIT, TimeUnit.MILLISECONDS);
        assertThat(o.by().subject()).isEqualTo("carol");
        assertThat(o.reason()).isEqualTo("no writes during the freeze");
        cardUpdated(p, "Denied by carol@example.com: no writes during the freeze");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void denyStillDeniesWhenTheModalCannotOpen(Transport t) throws Exception {
        start(t);
        slack.fail("views.open");
        Posted p = ask(dba(Duration.ofMinutes(5)));
        clickButton(U_CAROL, "airlock.deny", p);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.DENIED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void timeoutExpiresAndALaterClickIsToldSo(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMillis(800)));
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS)).isInstanceOf(ApprovalOutcome.Expired.class);
        cardUpdated(p, "Expired without a decision");
        clickButton(U_BOB, "airlock.approve", p);
        ephemeralTo(U_BOB, "expired");
        assertThat(store.refusals()).anyMatch(r -> r.rejection() == VoteRejection.EXPIRED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void agentGoneCancelsAndALaterClickSaysWhoDecided(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        p.future().cancel(true);
        cardUpdated(p, "Cancelled: the agent went away");
        clickButton(U_BOB, "airlock.approve", p);
        ephemeralTo(U_BOB, "already cancelled: the agent went away");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void refusedVotersAreToldWhyPrivatelyAndNothingIsDecided(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        clickButton(U_STRANGER, "airlock.approve", p);
        ephemeralTo(U_STRANGER, VoteRejection.UNMAPPED_USER.message());
        clickButton(U_BOT, "airlock.approve", p);
        ephemeralTo(U_BOT, VoteRejection.BOT_USER.message());
        clickButton(U_GUEST, "airlock.approve", p);
        ephemeralTo(U_GUEST, VoteRejection.RESTRICTED_USER.message());
        clickButton(U_GONE, "airlock.approve", p);
        ephemeralTo(U_GONE, VoteRejection.DEACTIVATED_USER.message());
        clickButton(U_ALICE, "airlock.approve", p);
        ephemeralTo(U_ALICE, VoteRejection.SELF_APPROVAL.message());
        clickButton(U_AGENT, "airlock.approve", p);
        ephemeralTo(U_AGENT, VoteRejection.SELF_APPROVAL.message());
        clickButton(U_ALICE, "airlock.deny", p); // the person the agent acts for cannot deny either
        slack.await("chat.postEphemeral", c -> U_ALICE.equals(c.param("user")), WAIT);
        clickButton(U_DAVE, "airlock.approve", p);
        ephemeralTo(U_DAVE, VoteRejection.NOT_APPROVER.message());
        // a user of another workspace, in a payload of the right workspace
        com.google.gson.JsonObject foreign = ClickDriver.blockActions("UFOREIGN", SlackStandIn.TEAM, SlackStandIn.APP,
                p.future().requestId(), "airlock.approve", p.ts(), ClickDriver.nextActionTs());
        foreign.getAsJsonObject("user").addProperty("team_id", "T0OTHER");
        h.click(slack, foreign);
        ephemeralTo("UFOREIGN", VoteRejection.FOREIGN_USER.message());
        assertThat(p.future()).isNotDone();
        assertThat(slack.calls("views.open")).isEmpty();
        assertThat(store.store().votes(p.future().requestId())).isEmpty();
        assertThat(store.refusals()).extracting(r -> r.rejection()).contains(VoteRejection.UNMAPPED_USER,
                VoteRejection.BOT_USER, VoteRejection.RESTRICTED_USER, VoteRejection.DEACTIVATED_USER,
                VoteRejection.SELF_APPROVAL, VoteRejection.NOT_APPROVER, VoteRejection.FOREIGN_USER);
        // erin is mapped through users.info email → directory
        clickButton(U_ERIN, "airlock.approve", p);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void doubleClickCountsOnceAndSaysSo(Transport t) throws Exception {
        start(t);
        Posted p = ask(profile(2, Duration.ofMinutes(5), null, Duration.ZERO, List.of("slack:#db-approvals")));
        clickButton(U_BOB, "airlock.approve", p);
        ephemeralTo(U_BOB, "Approval recorded (1 of 2)");
        clickButton(U_BOB, "airlock.approve", p);
        ephemeralTo(U_BOB, VoteRejection.ALREADY_VOTED.message());
        assertThat(p.future()).isNotDone();
        clickButton(U_CAROL, "airlock.approve", p);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        clickButton(U_CAROL, "airlock.approve", p);
        ephemeralTo(U_CAROL, "already approved by bob@example.com, carol@example.com");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void concurrentApproveAndDenyHaveOneWinner(Transport t) throws Exception {
        start(t);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        clickButton(U_CAROL, "airlock.deny", p);
        slack.await("views.open", c -> c.param("view").contains(p.future().requestId()), WAIT);
        Thread deny = new Thread(() -> {
            try {
                h.click(slack, ClickDriver.viewSubmission(U_CAROL, SlackStandIn.TEAM, SlackStandIn.APP,
                        p.future().requestId(), "no"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        deny.start();
        clickButton(U_BOB, "airlock.approve", p);
        deny.join();
        ApprovalState fin = p.future().get(WAIT, TimeUnit.MILLISECONDS).state();
        assertThat(fin).isIn(ApprovalState.APPROVED, ApprovalState.DENIED);
        assertThat(store.store().find(p.future().requestId()).orElseThrow().state()).isEqualTo(fin);
        cardUpdated(p, fin == ApprovalState.APPROVED ? "Approved by bob" : "Denied by carol");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void rateLimitedPostIsRetriedAfterRetryAfter(Transport t) throws Exception {
        start(t);
        slack.rateLimitNext("chat.postMessage", 1);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        assertThat(slack.calls("chat.postMessage#429")).hasSize(1);
        clickButton(U_BOB, "airlock.approve", p);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
    }
}
