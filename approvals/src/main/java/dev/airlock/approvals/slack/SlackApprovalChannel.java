package dev.airlock.approvals.slack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.model.User;
import dev.airlock.approvals.ApprovalChannel;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.ApprovalState;
import dev.airlock.approvals.Vote;
import dev.airlock.approvals.VoteRejection;
import dev.airlock.approvals.VoteResult;
import dev.airlock.approvals.internal.ReplayGuard;
import dev.airlock.approvals.slack.internal.SlackApi;
import dev.airlock.approvals.slack.internal.SlackCards;
import dev.airlock.approvals.slack.internal.SlackText;
import dev.airlock.policy.Identity;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack as an approval channel: posts Block Kit cards, turns button clicks (from Socket Mode or the
 * signed HTTP endpoint) into votes, updates the card with the outcome and tells a clicker privately
 * why a vote was refused.
 */
public final class SlackApprovalChannel implements ApprovalChannel, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackApprovalChannel.class);
    static final String CHANNEL = "slack";
    static final String HTTP_TRANSPORT = "slack-http";
    static final String SOCKET_TRANSPORT = "slack-socket-mode";

    private final SlackSettings settings;
    private final SlackApi api;
    private final Clock clock;
    private final ReplayGuard actions = new ReplayGuard(10 * 60_000L, 100_000);
    private final ExecutorService executor;
    private volatile ApprovalService service;

    public SlackApprovalChannel(SlackSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.api = new SlackApi(settings.botToken(), settings.methodsUrlPrefix(), settings.maxAttempts(), settings.maxRetryAfter());
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "airlock-slack-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Connects clicks to the service that records votes; call once before clicks can arrive. */
    public void bind(ApprovalService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * Checks the bot token with {@code auth.test}, off the caller's thread: a rejected token or one of another
     * workspace is logged as an error (cards could not be posted, or clicks would all be refused as foreign).
     */
    public void verifyAsync() {
        executor.execute(() -> {
            try {
                com.slack.api.methods.response.auth.AuthTestResponse r = api.call("auth.test", m -> m.authTest(b -> b));
                if (!settings.teamId().equals(r.getTeamId())) {
                    log.error("slack: the bot token belongs to workspace {}, not team_id {}; every click would be refused",
                            r.getTeamId(), settings.teamId());
                } else {
                    log.info("slack: bot token accepted (bot user {} in workspace {})", r.getUserId(), r.getTeamId());
                }
            } catch (SlackApi.SlackCallException e) {
                log.error("slack: auth.test failed ({}); approval cards cannot be posted", e.error());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The signed HTTP interactivity endpoint (Request URL); needs a signing secret. */
    public SlackInteractivityHandler interactivityHandler() {
        if (settings.signingSecret() == null) {
            throw new IllegalStateException("signingSecret: absent (expected: set for the HTTP interactivity endpoint)");
        }
        return new SlackInteractivityHandler(this, settings.signingSecret(), clock);
    }

    /** A Socket Mode connection (not yet started); needs an app-level token. */
    public SlackSocketMode socketMode() {
        if (settings.appToken() == null) {
            throw new IllegalStateException("appToken: absent (expected: an xapp- token for Socket Mode)");
        }
        return new SlackSocketMode(this, api, settings.appToken());
    }

    SlackSettings settings() {
        return settings;
    }

    @Override
    public String kind() {
        return CHANNEL;
    }

    @Override
    public Optional<String> post(ApprovalRequest request, String target) throws Exception {
        String channel = settings.channels().get(target);
        if (channel == null) {
            throw new IllegalArgumentException("slack:" + target + ": not a configured Slack channel (configured: "
                    + settings.channels().keySet().stream().sorted().map(n -> "slack:" + n).toList() + ")");
        }
        String blocks = SlackCards.request(request).toString();
        ChatPostMessageResponse r = api.call("chat.postMessage", m -> m.chatPostMessage(b -> b.channel(channel)
                .text(SlackCards.fallback(request)).blocksAsString(blocks).parse("none").unfurlLinks(false).unfurlMedia(false)));
        return Optional.of(r.getChannel() + "/" + r.getTs());
    }

    @Override
    public void remind(ApprovalRequest request, String target, String ref) throws Exception {
        String[] cts = ref.split("/", 2);
        api.call("chat.postMessage", m -> m.chatPostMessage(b -> b.channel(cts[0]).threadTs(cts[1])
                .text("Reminder: request " + request.id() + " is still waiting for approval.")));
    }

    @Override
    public void finish(ApprovalRequest request, ApprovalOutcome outcome, String target, String ref) throws Exception {
        String[] cts = ref.split("/", 2);
        String blocks = SlackCards.outcome(request, outcome).toString();
        api.call("chat.update", m -> m.chatUpdate(b -> b.channel(cts[0]).ts(cts[1])
                .text(SlackText.escapeAndTruncate(outcome.describe(), 3000)).blocksAsString(blocks).parse("none")));
    }

    /**
     * Checks that an authenticated delivery is for this app and workspace and not a replay.
     *
     * @return {@code null} to accept, else why it is refused
     */
    String admit(JsonObject payload) {
        String app = str(payload, "api_app_id");
        if (!settings.appId().equals(app)) {
            return "wrong app: " + app;
        }
        String team = str(obj(payload, "team"), "id");
        if (!settings.teamId().equals(team)) {
            return "wrong team: " + team;
        }
        String user = str(obj(payload, "user"), "id");
        if (user == null) {
            return "no user";
        }
        String type = str(payload, "type");
        String key;
        if ("block_actions".equals(type)) {
            JsonObject action = airlockAction(payload);
            if (action == null) {
                return "no Airlock action";
            }
            key = user + "|" + str(action, "action_ts");
        } else if ("view_submission".equals(type)) {
            JsonObject view = obj(payload, "view");
            key = user + "|view|" + str(view, "id") + "|" + str(view, "hash");
        } else {
            return "unsupported interaction type: " + type;
        }
        if (!actions.firstTime(key, clock.millis())) {
            return "replayed interaction";
        }
        return null;
    }

    /**
     * Records a delivery refused before it reached a request, with the request and user it claims (unverified)
     * and a digest of its raw bytes.
     */
    void rejected(String transport, String reason, JsonObject claimed, String remote, byte[] raw) {
        ApprovalService svc = service;
        if (svc == null) {
            return;
        }
        JsonObject action = claimed == null ? null : airlockAction(claimed);
        String requestId = action != null ? str(action, "value")
                : claimed == null ? null : str(obj(claimed, "view"), "private_metadata");
        String user = claimed == null ? null : str(obj(claimed, "user"), "id");
        svc.recordRejectedDelivery(new dev.airlock.approvals.RejectedDelivery(transport, reason, requestId, user, remote,
                dev.airlock.approvals.RejectedDelivery.digest(raw), clock.instant()));
    }

    static String cut(String s) {
        return s == null || s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /** Handles an admitted interaction on the channel's threads. */
    void dispatch(JsonObject payload) {
        executor.execute(() -> {
            try {
                process(payload);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("slack interaction failed", e);
            }
        });
    }

    private void process(JsonObject p) throws Exception {
        ApprovalService svc = service;
        if (svc == null) {
            log.warn("slack interaction before the channel was bound to the approval service; dropped");
            return;
        }
        JsonObject user = obj(p, "user");
        String userId = str(user, "id");
        String userTeam = Optional.ofNullable(str(user, "team_id")).orElse(str(obj(p, "team"), "id"));
        if ("block_actions".equals(str(p, "type"))) {
            JsonObject action = airlockAction(p);
            String id = str(action, "value");
            if (id == null || !(SlackCards.BLOCK_PREFIX + id).equals(str(action, "block_id"))) {
                log.warn("slack click by {} with value {} outside its card's block; ignored", userId, id);
                return;
            }
            String channel = Optional.ofNullable(str(obj(p, "container"), "channel_id")).orElse(str(obj(p, "channel"), "id"));
            Vote vote = SlackCards.APPROVE.equals(str(action, "action_id")) ? Vote.APPROVE : Vote.DENY;
            Resolved who = resolve(userId, userTeam);
            if (who.rejection() != null) {
                tell(channel, userId, svc.refuseUnmapped(id, "slack:" + userId, CHANNEL, vote, who.rejection()));
                return;
            }
            if (vote == Vote.APPROVE) {
                VoteResult r = svc.vote(id, who.identity(), Vote.APPROVE, null, CHANNEL);
                if (!r.accepted() || r.state() == ApprovalState.PENDING) {
                    tell(channel, userId, r);
                }
                return;
            }
            Optional<VoteResult> refused = svc.precheck(id, who.identity(), Vote.DENY, CHANNEL);
            if (refused.isPresent()) {
                tell(channel, userId, refused.get());
                return;
            }
            String trigger = str(p, "trigger_id");
            String modal = SlackCards.denyModal(id + " " + channel).toString();
            try {
                api.call("views.open", m -> m.viewsOpen(b -> b.triggerId(trigger).viewAsString(modal)));
            } catch (SlackApi.SlackCallException e) {
                // the deny must not be lost because the dialog could not open: deny without a reason
                log.info("slack views.open failed ({}); denying {} without a reason", e.error(), id);
                VoteResult r = svc.vote(id, who.identity(), Vote.DENY, "(no reason given)", CHANNEL);
                if (!r.accepted()) {
                    tell(channel, userId, r);
                }
            }
        } else if ("view_submission".equals(str(p, "type"))) {
            JsonObject view = obj(p, "view");
            if (!SlackCards.DENY_REASON_CALLBACK.equals(str(view, "callback_id"))) {
                return;
            }
            String[] md = String.valueOf(str(view, "private_metadata")).split(" ", 2);
            String id = md[0];
            String channel = md.length > 1 ? md[1] : null;
            String reason = str(obj(obj(obj(obj(view, "state"), "values"), SlackCards.REASON_BLOCK), SlackCards.REASON_ACTION), "value");
            Resolved who = resolve(userId, userTeam);
            VoteResult r = who.rejection() != null
                    ? svc.refuseUnmapped(id, "slack:" + userId, CHANNEL, Vote.DENY, who.rejection())
                    : svc.vote(id, who.identity(), Vote.DENY, reason, CHANNEL);
            if (!r.accepted() && channel != null) {
                tell(channel, userId, r);
            }
        }
    }

    private record Resolved(Identity identity, VoteRejection rejection) {
    }

    /** Maps a clicker to an identity; refuses foreign, deleted, bot, guest and unmapped users. */
    private Resolved resolve(String userId, String userTeam) throws InterruptedException {
        if (!settings.teamId().equals(userTeam)) {
            return new Resolved(null, VoteRejection.FOREIGN_USER);
        }
        User u;
        try {
            UsersInfoResponse info = api.call("users.info", m -> m.usersInfo(b -> b.user(userId)));
            u = info.getUser();
        } catch (SlackApi.SlackCallException e) {
            log.info("slack users.info {} failed: {}", userId, e.error());
            return new Resolved(null, VoteRejection.UNMAPPED_USER);
        }
        if (u == null) {
            return new Resolved(null, VoteRejection.UNMAPPED_USER);
        }
        if (u.isDeleted()) {
            return new Resolved(null, VoteRejection.DEACTIVATED_USER);
        }
        if (u.isBot() || u.isAppUser() || u.isWorkflowBot() || "USLACKBOT".equals(u.getId())) {
            return new Resolved(null, VoteRejection.BOT_USER);
        }
        if (u.isRestricted() || u.isUltraRestricted()) {
            return new Resolved(null, VoteRejection.RESTRICTED_USER);
        }
        if (u.isStranger() || (u.getTeamId() != null && !settings.teamId().equals(u.getTeamId()))) {
            return new Resolved(null, VoteRejection.FOREIGN_USER);
        }
        Identity mapped = settings.users().get(userId);
        if (mapped != null) {
            return new Resolved(mapped, null);
        }
        if (settings.emailLookup() && u.getProfile() != null && u.getProfile().getEmail() != null) {
            Optional<Identity> byEmail = settings.directory().byEmail(u.getProfile().getEmail());
            if (byEmail.isPresent()) {
                return new Resolved(byEmail.get(), null);
            }
        }
        return new Resolved(null, VoteRejection.UNMAPPED_USER);
    }

    private void tell(String channel, String user, VoteResult r) throws InterruptedException {
        if (channel == null) {
            return;
        }
        String text = (r.accepted() ? "" : "Your vote was not counted: ") + SlackText.escapeAndTruncate(r.message(), 2900);
        try {
            api.call("chat.postEphemeral", m -> m.chatPostEphemeral(b -> b.channel(channel).user(user).text(text)));
        } catch (SlackApi.SlackCallException e) {
            log.info("slack chat.postEphemeral to {} failed: {}", user, e.error());
        }
    }

    static JsonObject airlockAction(JsonObject payload) {
        JsonElement a = payload.get("actions");
        if (a == null || !a.isJsonArray()) {
            return null;
        }
        for (JsonElement e : a.getAsJsonArray()) {
            if (e.isJsonObject()) {
                String id = str(e.getAsJsonObject(), "action_id");
                if (SlackCards.APPROVE.equals(id) || SlackCards.DENY.equals(id)) {
                    return e.getAsJsonObject();
                }
            }
        }
        return null;
    }

    static JsonObject obj(JsonObject o, String name) {
        if (o == null) {
            return null;
        }
        JsonElement e = o.get(name);
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    static String str(JsonObject o, String name) {
        if (o == null) {
            return null;
        }
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
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
        api.close();
    }
}
