package dev.airlock.approvals.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.HttpCall;
import dev.airlock.approvals.HttpReply;
import dev.airlock.approvals.PlainHttpHandler;
import dev.airlock.approvals.teams.internal.BotTokenVerifier;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's messaging endpoint: verifies the Bot Framework's token (signature, issuer, audience, validity,
 * endorsement, service URL), then the channel, bot, tenant, conversation and replays; answers a card click
 * ({@code adaptiveCard/action} invoke) with a message for the clicker, and any other activity with 200.
 * Refusals answer 401/403/409 with the reason and are recorded in lineage. Blocking: run it off any event loop.
 */
public final class TeamsMessagingHandler implements PlainHttpHandler {

    private static final Logger log = LoggerFactory.getLogger(TeamsMessagingHandler.class);
    /** Teams sends activities of a few KB; anything bigger is not Teams. */
    static final int MAX_BODY = 256 * 1024;
    static final String MESSAGE_TYPE = "application/vnd.microsoft.activity.message";

    private final TeamsApprovalChannel channel;
    private final BotTokenVerifier tokens;
    private final ObjectMapper json;

    TeamsMessagingHandler(TeamsApprovalChannel channel, BotTokenVerifier tokens, ObjectMapper json) {
        this.channel = channel;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        if (!"POST".equals(call.method())) {
            return HttpReply.text(405, "method: " + call.method() + " (expected: POST)");
        }
        byte[] raw = call.body();
        if (raw.length > MAX_BODY) {
            return reject(call, null, 413, "body: " + raw.length + " bytes (expected: <= " + MAX_BODY + ")");
        }
        String authorization = call.header("Authorization");
        if (authorization == null) {
            return reject(call, null, 401, "missing Authorization: Bearer <Bot Framework token>");
        }
        JsonNode activity;
        try {
            activity = json.readTree(raw);
        } catch (IOException e) {
            activity = null;
        }
        if (activity == null || !activity.isObject()) {
            return reject(call, null, 400, "body: not a JSON activity");
        }
        BotTokenVerifier.Refusal refusal = tokens.verify(authorization, TeamsApprovalChannel.text(activity, "channelId"),
                TeamsApprovalChannel.text(activity, "serviceUrl"));
        if (refusal != null) {
            return reject(call, activity, refusal.status(), refusal.reason());
        }
        String why = channel.admit(activity);
        if (why != null) {
            return reject(call, activity, why.startsWith("replayed") ? 409 : 403, why);
        }
        if (!TeamsApprovalChannel.isInvoke(activity)) {
            return HttpReply.empty(200);
        }
        String text;
        try {
            text = channel.invoke(activity);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HttpReply.text(503, "interrupted");
        }
        ObjectNode answer = json.createObjectNode();
        answer.put("statusCode", 200);
        answer.put("type", MESSAGE_TYPE);
        answer.put("value", text);
        return HttpReply.json(200, answer.toString());
    }

    private HttpReply reject(HttpCall call, JsonNode claimed, int status, String why) {
        log.warn("teams delivery from {} refused: {}", call.remote(), why);
        channel.rejected(why, claimed, call.remote(), call.body());
        return HttpReply.text(status, why);
    }
}
