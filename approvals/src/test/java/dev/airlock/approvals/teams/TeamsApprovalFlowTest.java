package dev.airlock.approvals.teams;

import static dev.airlock.approvals.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.ApproverDirectory;
import dev.airlock.approvals.HandlerServer;
import dev.airlock.approvals.InMemoryStoreAccess;
import dev.airlock.approvals.PendingApproval;
import dev.airlock.approvals.RejectedDelivery;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.policy.Identity;
import dev.airlock.testing.teams.BotFrameworkStandIn;
import dev.airlock.testing.teams.BotFrameworkStandIn.Member;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Teams channel against the Bot Framework stand-in: cards posted through the Bot Connector with the app token,
 * clicks delivered as signed invokes to the messaging endpoint, the clicker answered in the invoke response, the card
 * updated with the outcome; every forged, misdirected or replayed delivery refused with its reason and recorded.
 */
class TeamsApprovalFlowTest {

    private static final long WAIT = 10_000;
    private static final Member BOB = Member.user("b0b00000-0000-4000-8000-000000000001", "bob@example.com");
    private static final Member CAROL = Member.user("ca401000-0000-4000-8000-000000000002", "carol@example.com");
    private static final Member ALICE = Member.user("a11ce000-0000-4000-8000-000000000003", "alice@example.com");
    private static final Member DAVE = Member.user("da7e0000-0000-4000-8000-000000000004", "dave@example.com");
    private static final Member ERIN = Member.user("e4140000-0000-4000-8000-000000000005", "erin@example.com");
    private static final Member STRANGER = Member.user("5744a000-0000-4000-8000-000000000006", "stranger@example.com");
    private static final Member GUEST = new Member("29:guest", "9e570000-0000-4000-8000-000000000007", "guest",
            "guest@partner.example", BotFrameworkStandIn.TENANT, "guest");
    private static final Member FOREIGN = new Member("29:foreign", "f0e10000-0000-4000-8000-000000000008", "foreign",
            "x@other.example", BotFrameworkStandIn.OTHER_TENANT, "user");
    private static final Member NOT_A_MEMBER = Member.user("00a00000-0000-4000-8000-000000000009", "gone@example.com");
    private static final Identity ERIN_ID = new Identity(ISS, "erin", "erin@example.com", Set.of(), Map.of(), List.of());
    private static final Identity ALICE_ID = new Identity(ISS, "alice", "alice@example.com", Set.of("dba"), Map.of(), List.of());

    private final ObjectMapper json = new ObjectMapper();
    private final InMemoryStoreAccess store = new InMemoryStoreAccess();
    private BotFrameworkStandIn bf;
    private TeamsApprovalChannel channel;
    private ApprovalService service;
    private HandlerServer server;
    private URI endpoint;

    @BeforeEach
    void start() throws Exception {
        bf = new BotFrameworkStandIn();
        for (Member m : List.of(BOB, CAROL, ALICE, DAVE, ERIN, STRANGER, GUEST, FOREIGN)) {
            bf.addMember(m);
        }
        // guests and foreign members are refused even when mapped
        Map<String, Identity> users = Map.of(BOB.aadObjectId(), dev.airlock.approvals.Fixtures.BOB,
                CAROL.aadObjectId(), dev.airlock.approvals.Fixtures.CAROL, ALICE.aadObjectId(), ALICE_ID,
                DAVE.aadObjectId(), dev.airlock.approvals.Fixtures.DAVE, GUEST.aadObjectId(), dev.airlock.approvals.Fixtures.CAROL,
                FOREIGN.aadObjectId(), dev.airlock.approvals.Fixtures.CAROL, NOT_A_MEMBER.aadObjectId(),
                dev.airlock.approvals.Fixtures.CAROL);
        TeamsSettings settings = new TeamsSettings(BotFrameworkStandIn.APP_ID, BotFrameworkStandIn.APP_PASSWORD,
                BotFrameworkStandIn.TENANT, URI.create(bf.serviceUrl()), bf.baseUrl(), bf.openIdMetadataUrl(), users, true,
                ApproverDirectory.of(List.of(ERIN_ID)), 3, Duration.ofSeconds(5),
                Map.of("dba", BotFrameworkStandIn.CONVERSATION));
        channel = new TeamsApprovalChannel(settings, Clock.systemUTC());
        service = new ApprovalService(store.store(), List.of(channel),
                new ApprovalService.Settings("replica-a", Duration.ofMillis(500), 4), Clock.systemUTC());
        channel.bind(service);
        service.start();
        server = new HandlerServer("/teams/messages", channel.messagingHandler());
        endpoint = server.uri("/teams/messages");
    }

    @AfterEach
    void stop() {
        server.close();
        service.close();
        channel.close();
        bf.close();
    }

    private record Posted(PendingApproval future, String activityId) {
    }

    private Posted ask(ApprovalProfile p) throws Exception {
        PendingApproval f = service.request(update("UPDATE orders SET total = 0 WHERE id = 42"), AGENT_FOR_ALICE, p, context());
        BotFrameworkStandIn.Call post = bf.await(c -> c.method().equals("POST") && c.path().endsWith("/activities")
                && c.body() != null && c.body().toString().contains(f.requestId()), WAIT);
        assertThat(post.path()).isEqualTo("/v3/conversations/19%3Adba-approvals%40thread.tacv2/activities");
        assertThat(post.authorization()).startsWith("Bearer bf-token-");
        JsonNode card = post.body().path("attachments").get(0);
        assertThat(card.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        return new Posted(f, bf.awaitActivity(a -> a.toString().contains(f.requestId()), WAIT));
    }

    private static ApprovalProfile dba(Duration timeout) {
        return profile(timeout, List.of("teams:dba", "web"));
    }

    /** Delivers a click and returns what the clicker is shown. */
    private String click(Member who, String verb, Posted p, String reason) throws Exception {
        ObjectNode invoke = bf.invoke(who, p.activityId(), verb, reason == null
                ? Map.of("requestId", p.future().requestId())
                : Map.of("requestId", p.future().requestId(), "reason", reason));
        HttpResponse<String> r = bf.deliver(endpoint, invoke);
        assertThat(r.statusCode()).as("invoke answer: %s", r.body()).isEqualTo(200);
        JsonNode answer = json.readTree(r.body());
        assertThat(answer.path("statusCode").asInt()).isEqualTo(200);
        assertThat(answer.path("type").asText()).isEqualTo("application/vnd.microsoft.activity.message");
        return answer.path("value").asText();
    }

    private void cardUpdated(Posted p, String contains) throws InterruptedException {
        bf.await(c -> c.method().equals("PUT") && c.path().endsWith("/activities/" + p.activityId().replace(":", "%3A"))
                && c.body().toString().contains(contains) && !c.body().toString().contains("Action.Execute"), WAIT);
    }

    @Test
    void approveClickApprovesAndUpdatesTheCard() throws Exception {
        Posted p = ask(dba(Duration.ofMinutes(5)));
        JsonNode card = bf.activity(p.activityId()).path("attachments").get(0).path("content");
        assertThat(card.path("version").asText()).isEqualTo("1.4");
        assertThat(card.path("actions")).extracting(a -> a.path("verb").asText()).containsExactly("airlock.approve", "airlock.deny");
        assertThat(click(BOB, "airlock.approve", p, null)).contains("Approved");
        ApprovalOutcome.Approved o = (ApprovalOutcome.Approved) p.future().get(WAIT, TimeUnit.MILLISECONDS);
        assertThat(o.approvers()).extracting(a -> a.subject() + "@" + a.channel()).containsExactly("bob@teams");
        cardUpdated(p, "Approved by bob@example.com");
        // one token for the post, the member lookup and the update
        assertThat(bf.tokensIssued()).isEqualTo(1);
    }

    @Test
    void denyNeedsAReasonThenDenies() throws Exception {
        Posted p = ask(dba(Duration.ofMinutes(5)));
        assertThat(click(CAROL, "airlock.deny", p, "  ")).contains("Write why in the reason box");
        assertThat(p.future()).isNotDone();
        assertThat(store.store().votes(p.future().requestId())).isEmpty();
        click(CAROL, "airlock.deny", p, "no writes during the freeze");
        ApprovalOutcome.Denied o = (ApprovalOutcome.Denied) p.future().get(WAIT, TimeUnit.MILLISECONDS);
        assertThat(o.by().subject()).isEqualTo("carol");
        assertThat(o.reason()).isEqualTo("no writes during the freeze");
        cardUpdated(p, "Denied by carol@example.com: no writes during the freeze");
    }

    @Test
    void timeoutExpiresAndALaterClickIsToldSo() throws Exception {
        Posted p = ask(dba(Duration.ofMillis(800)));
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS)).isInstanceOf(ApprovalOutcome.Expired.class);
        cardUpdated(p, "Expired without a decision");
        assertThat(click(BOB, "airlock.approve", p, null)).startsWith("Your vote was not counted").contains("expired");
    }

    @Test
    void agentGoneCancelsTheCard() throws Exception {
        Posted p = ask(dba(Duration.ofMinutes(5)));
        p.future().cancel(true);
        cardUpdated(p, "Cancelled: the agent went away");
        assertThat(click(BOB, "airlock.approve", p, null)).contains("already cancelled: the agent went away");
    }

    @Test
    void remindersReplyInTheCardsThread() throws Exception {
        Posted p = ask(profile(1, Duration.ofMinutes(5), Duration.ofMillis(300), Duration.ZERO, List.of("teams:dba")));
        BotFrameworkStandIn.Call reminder = bf.await(c -> c.method().equals("POST")
                && c.path().endsWith("/activities/" + p.activityId().replace(":", "%3A")), WAIT);
        assertThat(reminder.body().path("text").asText()).isEqualTo("Reminder: request " + p.future().requestId()
                + " is still waiting for approval.");
        assertThat(reminder.body().path("textFormat").asText()).isEqualTo("plain");
        assertThat(reminder.body().path("replyToId").asText()).isEqualTo(p.activityId());
    }

    @Test
    void refusedVotersAreToldWhyAndNothingIsDecided() throws Exception {
        Posted p = ask(dba(Duration.ofMinutes(5)));
        assertThat(click(STRANGER, "airlock.approve", p, null)).contains(VoteRejection.UNMAPPED_USER.message());
        assertThat(click(GUEST, "airlock.approve", p, null)).contains(VoteRejection.RESTRICTED_USER.message());
        assertThat(click(FOREIGN, "airlock.approve", p, null)).contains(VoteRejection.FOREIGN_USER.message());
        assertThat(click(NOT_A_MEMBER, "airlock.approve", p, null)).contains(VoteRejection.UNMAPPED_USER.message());
        assertThat(click(ALICE, "airlock.approve", p, null)).contains(VoteRejection.SELF_APPROVAL.message());
        assertThat(click(ALICE, "airlock.deny", p, "mine")).contains(VoteRejection.SELF_APPROVAL.message());
        assertThat(click(ALICE, "airlock.deny", p, null)).contains(VoteRejection.SELF_APPROVAL.message());
        assertThat(click(DAVE, "airlock.approve", p, null)).contains(VoteRejection.NOT_APPROVER.message());
        // a sender claiming bob's object id under another member id: the conversation says who that member is
        Member impostor = new Member(STRANGER.id(), BOB.aadObjectId(), "bob?", null, BotFrameworkStandIn.TENANT, "user");
        assertThat(click(impostor, "airlock.approve", p, null)).contains(VoteRejection.UNMAPPED_USER.message());
        assertThat(p.future()).isNotDone();
        assertThat(store.store().votes(p.future().requestId())).isEmpty();
        assertThat(store.refusals()).extracting(r -> r.rejection()).contains(VoteRejection.UNMAPPED_USER,
                VoteRejection.RESTRICTED_USER, VoteRejection.FOREIGN_USER, VoteRejection.SELF_APPROVAL,
                VoteRejection.NOT_APPROVER);
        // erin is not mapped by object id: the email Teams reports maps her to the directory
        assertThat(click(ERIN, "airlock.approve", p, null)).contains("Approved");
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
    }

    @Test
    void doubleClickCountsOnceAndSaysSo() throws Exception {
        Posted p = ask(profile(2, Duration.ofMinutes(5), null, Duration.ZERO, List.of("teams:dba")));
        assertThat(click(BOB, "airlock.approve", p, null)).contains("Approval recorded (1 of 2)");
        assertThat(click(BOB, "airlock.approve", p, null)).contains(VoteRejection.ALREADY_VOTED.message());
        click(CAROL, "airlock.approve", p, null);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(click(CAROL, "airlock.approve", p, null)).contains("already approved by bob@example.com, carol@example.com");
    }

    @Test
    void rateLimitedAndRevokedTokensAreRetried() throws Exception {
        bf.rateLimitNext("/activities", 1);
        Posted p = ask(dba(Duration.ofMinutes(5)));
        bf.revokeTokens();
        click(BOB, "airlock.approve", p, null); // the member lookup gets 401, fetches a new token, goes on
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        cardUpdated(p, "Approved by bob@example.com");
        assertThat(bf.tokensIssued()).isEqualTo(2);
    }

    @Test
    void forgedMisdirectedAndReplayedDeliveriesAreRefusedAndRecorded() throws Exception {
        Posted p = ask(dba(Duration.ofMinutes(5)));
        Map<String, String> data = Map.of("requestId", p.future().requestId());
        ObjectNode good = bf.invoke(BOB, p.activityId(), "airlock.approve", data);
        // no token, not a JWT, a key nobody published, a key endorsed for another channel
        assertRefused(bf.deliver(endpoint, good, null), 401, "missing Authorization");
        assertRefused(bf.deliver(endpoint, good, "Bearer not.a.jwt"), 401, "not a signed JWT");
        assertRefused(bf.deliver(endpoint, good, "Bearer " + BotFrameworkStandIn.forged(bf.claims(good).build())), 401,
                "signature does not verify");
        assertRefused(bf.deliver(endpoint, good, bf.unendorsedAuthorization(good)), 403, "not endorsed for channel msteams");
        // another issuer, another bot, expired, another service URL
        assertRefused(bf.deliver(endpoint, good, "Bearer " + bf.signed(bf.claims(good).issuer("https://sts.windows.net/x/").build())),
                401, "issuer");
        assertRefused(bf.deliver(endpoint, good, "Bearer " + bf.signed(bf.claims(good).audience("another-bot").build())),
                401, "audience");
        assertRefused(bf.deliver(endpoint, good, "Bearer " + bf.signed(bf.claims(good)
                .expirationTime(Date.from(Instant.now().minusSeconds(600))).build())), 401, "expired");
        assertRefused(bf.deliver(endpoint, good, "Bearer " + bf.signed(bf.claims(good)
                .claim("serviceurl", "https://evil.example/").build())), 403, "does not match the activity's serviceUrl");
        // a good token with a body of another tenant, channel, bot or conversation
        ObjectNode tenant = good.deepCopy();
        ((ObjectNode) tenant.path("channelData").path("tenant")).put("id", BotFrameworkStandIn.OTHER_TENANT);
        assertRefused(bf.deliver(endpoint, tenant), 403, "wrong tenant");
        ObjectNode webchat = good.deepCopy().put("channelId", "webchat");
        assertRefused(bf.deliver(endpoint, webchat, bf.unendorsedAuthorization(webchat)), 403, "expected: msteams");
        ObjectNode bot = good.deepCopy();
        ((ObjectNode) bot.path("recipient")).put("id", "28:another-bot");
        assertRefused(bf.deliver(endpoint, bot), 403, "is not this bot");
        ObjectNode conv = good.deepCopy();
        ((ObjectNode) conv.path("conversation")).put("id", "19:elsewhere@thread.tacv2;messageid=1");
        assertRefused(bf.deliver(endpoint, conv), 403, "not a configured Teams conversation");
        assertRefused(bf.deliverRaw(endpoint, "{not json".getBytes(StandardCharsets.UTF_8), bf.authorization(good)), 400,
                "not a JSON activity");
        assertThat(p.future()).isNotDone();
        // the genuine click counts once; its replay is refused
        assertThat(bf.deliver(endpoint, good).statusCode()).isEqualTo(200);
        assertThat(p.future().get(WAIT, TimeUnit.MILLISECONDS).state()).isEqualTo(ApprovalState.APPROVED);
        assertRefused(bf.deliver(endpoint, good), 409, "replayed activity");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.rejectedDeliveries().size() < 14 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        List<RejectedDelivery> rejected = store.rejectedDeliveries();
        assertThat(rejected).hasSize(14).allSatisfy(d -> {
            assertThat(d.channel()).isEqualTo("teams");
            assertThat(d.bodyDigest()).hasSize(64);
        });
        assertThat(rejected).filteredOn(d -> d.requestId() != null).extracting(RejectedDelivery::claimedUser)
                .containsOnly(BOB.aadObjectId());
        // non-invoke activities (installs, messages) with a good token are acknowledged and do nothing
        ObjectNode update = good.deepCopy().put("type", "conversationUpdate");
        update.remove("name");
        assertThat(bf.deliver(endpoint, update).statusCode()).isEqualTo(200);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String reason) {
        assertThat(r.statusCode()).as("status for %s", r.body()).isEqualTo(status);
        assertThat(r.body()).contains(reason);
    }
}
