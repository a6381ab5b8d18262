package dev.airlock.approvals.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.approvals.ApprovalChannel;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.RejectedDelivery;
import dev.airlock.approvals.Vote;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.approvals.VoteResult;
import dev.airlock.approvals.internal.ReplayGuard;
import dev.airlock.approvals.internal.Texts;
import dev.airlock.approvals.teams.internal.BotConnector;
import dev.airlock.approvals.teams.internal.BotTokenVerifier;
import dev.airlock.approvals.teams.internal.TeamsCards;
import dev.airlock.policy.Identity;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microsoft Teams as an approval channel: an Azure Bot posts Adaptive Cards through the Bot Connector, turns
 * {@code Action.Execute} clicks (signed {@code adaptiveCard/action} invokes to the messaging endpoint) into votes,
 * answers the clicker in the invoke response (why a vote was not counted, or what it did), and updates the card with
 * the outcome.
 */
public final class TeamsApprovalChannel implements ApprovalChannel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TeamsApprovalChannel.class);
    static final String CHANNEL = "teams";
    /** The only Bot Framework channel whose deliveries are accepted. */
    static final String TEAMS_CHANNEL_ID = "msteams";
    static final String INVOKE_NAME = "adaptiveCard/action";

    private final TeamsSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final BotConnector connector;
    private final BotTokenVerifier tokens;
    private final Clock clock;
    private final Set<String> conversationIds;
    /** Longer than a delivery token lives (an hour, plus 5 minutes of skew): a replay needs a valid token. */
    private final ReplayGuard activities = new ReplayGuard(2 * 60 * 60_000L, 100_000);
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "airlock-teams-check");
        t.setDaemon(true);
        return t;
    });
    private volatile ApprovalService service;

    public TeamsApprovalChannel(TeamsSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.connector = new BotConnector(json, settings.appId(), settings.appPassword(), settings.loginBaseUrl(),
                settings.tenant(), settings.maxAttempts(), settings.maxRetryAfter(), clock);
        this.tokens = new BotTokenVerifier(settings.openIdMetadataUrl(), settings.appId(), json, clock);
        this.conversationIds = Set.copyOf(settings.conversations().values());
    }

    /** Connects clicks to the service that records votes; call once before clicks can arrive. */
    public void bind(ApprovalService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * Asks Entra for a Bot Connector token, off the caller's thread: a refused app id or secret is logged as an
     * error (no card could be posted).
     */
    public void verifyAsync() {
        executor.execute(() -> {
            try {
                connector.token();
                log.info("teams: app {} accepted by the token endpoint of tenant {}", settings.appId(), settings.tenant());
            } catch (BotConnector.BotCallException e) {
                log.error("teams: no Bot Connector token ({}); approval cards cannot be posted", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The bot's messaging endpoint, to mount at {@code /teams/messages}. */
    public TeamsMessagingHandler messagingHandler() {
        return new TeamsMessagingHandler(this, tokens, json);
    }

    @Override
    public String kind() {
        return CHANNEL;
    }

    @Override
    public Optional<String> post(ApprovalRequest request, String target) throws Exception {
        String conversation = settings.conversations().get(target);
        if (conversation == null) {
            throw new IllegalArgumentException("teams:" + target + ": not a configured Teams conversation (configured: "
                    + settings.conversations().keySet().stream().sorted().map(n -> "teams:" + n).toList() + ")");
        }
        String id = connector.send(settings.serviceUrl(), conversation, TeamsCards.message(TeamsCards.request(request), request));
        return Optional.of(conversation + " " + id);
    }

    @Override
    public void remind(ApprovalRequest request, String target, String ref) throws Exception {
        String[] ca = ref.split(" ", 2);
        connector.reply(settings.serviceUrl(), ca[0], ca[1],
                TeamsCards.text("Reminder: request " + request.id() + " is still waiting for approval."));
    }

    @Override
    public void finish(ApprovalRequest request, ApprovalOutcome outcome, String target, String ref) throws Exception {
        String[] ca = ref.split(" ", 2);
        connector.update(settings.serviceUrl(), ca[0], ca[1],
                TeamsCards.message(TeamsCards.outcome(request, outcome), request));
    }

    /**
     * Checks that a delivery whose token verified is from Teams, for this bot, from this tenant, in a configured
     * conversation, and not a replay.
     *
     * @return {@code null} to accept, else why it is refused
     */
    String admit(JsonNode activity) {
        String channelId = text(activity, "channelId");
        if (!TEAMS_CHANNEL_ID.equals(channelId)) {
            return "channel " + cut(channelId) + " (expected: " + TEAMS_CHANNEL_ID + ")";
        }
        String recipient = text(activity.path("recipient"), "id");
        if (!("28:" + settings.appId()).equalsIgnoreCase(String.valueOf(recipient))) {
            return "recipient " + cut(recipient) + " is not this bot (28:" + settings.appId() + ")";
        }
        String tenant = text(activity.path("channelData").path("tenant"), "id");
        if (!settings.tenant().equalsIgnoreCase(String.valueOf(tenant))) {
            return "wrong tenant: " + cut(tenant);
        }
        if (!isInvoke(activity)) {
            return null; // installs, messages, reactions: acknowledged, nothing to do
        }
        String conversation = conversation(activity);
        if (!conversationIds.contains(conversation)) {
            return "conversation " + cut(conversation) + " is not a configured Teams conversation";
        }
        String id = text(activity, "id");
        String from = text(activity.path("from"), "id");
        if (id == null || from == null) {
            return "no activity id or sender";
        }
        if (!activities.firstTime(from + "|" + id, clock.millis())) {
            return "replayed activity";
        }
        return null;
    }

    static boolean isInvoke(JsonNode activity) {
        return "invoke".equals(text(activity, "type")) && INVOKE_NAME.equals(text(activity, "name"));
    }

    /** The conversation id without a thread suffix ({@code ;messageid=…}). */
    static String conversation(JsonNode activity) {
        String c = String.valueOf(text(activity.path("conversation"), "id"));
        int semi = c.indexOf(';');
        return semi < 0 ? c : c.substring(0, semi);
    }

    /**
     * Records a delivery refused before it reached a request, with the request and user it claims (unverified) and a
     * digest of its raw bytes.
     */
    void rejected(String reason, JsonNode claimed, String remote, byte[] raw) {
        ApprovalService svc = service;
        if (svc == null) {
            return;
        }
        String requestId = claimed == null ? null : text(claimed.path("value").path("action").path("data"), TeamsCards.REQUEST_ID);
        String user = claimed == null ? null : Optional.ofNullable(text(claimed.path("from"), "aadObjectId"))
                .orElse(text(claimed.path("from"), "id"));
        svc.recordRejectedDelivery(new RejectedDelivery(CHANNEL, reason, requestId, user, remote, RejectedDelivery.digest(raw),
                clock.instant()));
    }

    /**
     * Turns an admitted click into a vote, on the caller's (blocking) thread: the Bot Framework waits for the invoke
     * response, which tells the clicker what happened.
     *
     * @return the text shown to the clicker
     */
    String invoke(JsonNode activity) throws InterruptedException {
        ApprovalService svc = service;
        if (svc == null) {
            return "Airlock is starting; try again in a moment.";
        }
        JsonNode action = activity.path("value").path("action");
        String verb = text(action, "verb");
        String id = text(action.path("data"), TeamsCards.REQUEST_ID);
        if (id == null || !(TeamsCards.APPROVE.equals(verb) || TeamsCards.DENY.equals(verb))) {
            log.warn("teams click with verb {} and request {}; ignored", cut(verb), cut(id));
            return "This card action is not Airlock's.";
        }
        Vote vote = TeamsCards.APPROVE.equals(verb) ? Vote.APPROVE : Vote.DENY;
        JsonNode from = activity.path("from");
        Resolved who = resolve(activity, from);
        if (who.rejection() != null) {
            String user = Optional.ofNullable(text(from, "aadObjectId")).orElse(String.valueOf(text(from, "id")));
            return told(svc.refuseUnmapped(id, "teams:" + user, CHANNEL, vote, who.rejection()));
        }
        if (vote == Vote.APPROVE) {
            return told(svc.vote(id, who.identity(), Vote.APPROVE, null, CHANNEL));
        }
        String reason = Optional.ofNullable(text(action.path("data"), TeamsCards.REASON)).map(String::strip).orElse("");
        if (reason.isEmpty()) {
            Optional<VoteResult> refused = svc.precheck(id, who.identity(), Vote.DENY, CHANNEL);
            return refused.map(TeamsApprovalChannel::told)
                    .orElse("Write why in the reason box, then press Deny again. Nothing was recorded yet.");
        }
        return told(svc.vote(id, who.identity(), Vote.DENY, Texts.cut(reason, TeamsCards.DENY_REASON_MAX), CHANNEL));
    }

    private static String told(VoteResult r) {
        return (r.accepted() ? "" : "Your vote was not counted: ") + r.message();
    }

    private record Resolved(Identity identity, VoteRejection rejection) {
    }

    /**
     * Maps a clicker to an identity by asking the Bot Connector who the member is: refuses bots, guests and anonymous
     * users, members of other tenants, senders the conversation does not know, and the unmapped.
     */
    private Resolved resolve(JsonNode activity, JsonNode from) throws InterruptedException {
        if ("bot".equals(text(from, "role"))) {
            return new Resolved(null, VoteRejection.BOT_USER);
        }
        String fromId = text(from, "id");
        String objectId = Optional.ofNullable(text(from, "aadObjectId")).map(s -> s.toLowerCase(Locale.ROOT)).orElse(null);
        if (fromId == null || objectId == null) {
            return new Resolved(null, VoteRejection.UNMAPPED_USER);
        }
        JsonNode member;
        try {
            // the activity's serviceUrl is the one its token vouched for
            Optional<JsonNode> m = connector.member(java.net.URI.create(text(activity, "serviceUrl")), conversation(activity), fromId);
            if (m.isEmpty()) {
                log.info("teams: {} is not a member of {}", fromId, conversation(activity));
                return new Resolved(null, VoteRejection.UNMAPPED_USER);
            }
            member = m.get();
        } catch (BotConnector.BotCallException e) {
            log.info("teams: looking up member {} failed: {}", fromId, e.getMessage());
            return new Resolved(null, VoteRejection.UNMAPPED_USER);
        }
        if (!objectId.equalsIgnoreCase(String.valueOf(text(member, "aadObjectId")))) {
            log.warn("teams: sender {} claims object id {}, the conversation says {}", fromId, objectId, text(member, "aadObjectId"));
            return new Resolved(null, VoteRejection.UNMAPPED_USER);
        }
        String memberTenant = text(member, "tenantId");
        if (memberTenant != null && !settings.tenant().equalsIgnoreCase(memberTenant)) {
            return new Resolved(null, VoteRejection.FOREIGN_USER);
        }
        String role = Optional.ofNullable(text(member, "userRole")).map(s -> s.toLowerCase(Locale.ROOT)).orElse("user");
        if (role.equals("guest") || role.equals("anonymous")) {
            return new Resolved(null, VoteRejection.RESTRICTED_USER);
        }
        Identity mapped = settings.users().get(objectId);
        if (mapped != null) {
            return new Resolved(mapped, null);
        }
        if (settings.emailLookup()) {
            for (String field : new String[] {"email", "userPrincipalName"}) {
                Optional<Identity> byEmail = settings.directory().byEmail(text(member, field));
                if (byEmail.isPresent()) {
                    return new Resolved(byEmail.get(), null);
                }
            }
        }
        return new Resolved(null, VoteRejection.UNMAPPED_USER);
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    static String cut(String s) {
        return s == null || s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
