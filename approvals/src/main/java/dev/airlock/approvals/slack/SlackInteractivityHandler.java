package dev.airlock.approvals.slack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.airlock.approvals.HttpCall;
import dev.airlock.approvals.HttpReply;
import dev.airlock.approvals.PlainHttpHandler;
import dev.airlock.approvals.slack.internal.SlackSignature;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's HTTP interactivity endpoint: verifies the v0 signature over the raw body (constant time,
 * timestamp within 300 s either way), the app and the workspace, drops replays, answers 200 at once and
 * handles the click on the channel's threads.
 */
public final class SlackInteractivityHandler implements PlainHttpHandler {

    private static final Logger log = LoggerFactory.getLogger(SlackInteractivityHandler.class);
    /** Slack sends small forms; anything bigger is not Slack. */
    static final int MAX_BODY = 256 * 1024;

    private final SlackApprovalChannel channel;
    private final SlackSignature signature;
    private final Clock clock;

    SlackInteractivityHandler(SlackApprovalChannel channel, String signingSecret, Clock clock) {
        this.channel = channel;
        this.signature = new SlackSignature(signingSecret);
        this.clock = clock;
    }

    @Override
    public HttpReply handle(HttpCall call) {
        if (!"POST".equals(call.method())) {
            return HttpReply.text(405, "method: " + call.method() + " (expected: POST)");
        }
        byte[] rawBody = call.body();
        if (rawBody.length > MAX_BODY) {
            return reject(call, 413, "body: " + rawBody.length + " bytes (expected: <= " + MAX_BODY + ")");
        }
        String ts = call.header("X-Slack-Request-Timestamp");
        String sig = call.header("X-Slack-Signature");
        if (ts == null || sig == null) {
            return reject(call, 401, "missing X-Slack-Request-Timestamp or X-Slack-Signature");
        }
        long t;
        try {
            t = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            return reject(call, 401, "X-Slack-Request-Timestamp: '" + SlackApprovalChannel.cut(ts) + "' (expected: epoch seconds)");
        }
        if (!SlackSignature.fresh(t, clock.millis() / 1000)) {
            return reject(call, 401, "X-Slack-Request-Timestamp: " + t + " (expected: within "
                    + SlackSignature.MAX_SKEW_SECONDS + " s of now)");
        }
        if (!signature.matches(ts, rawBody, sig)) {
            return reject(call, 401, "X-Slack-Signature: does not match the body");
        }
        String payloadText = formField(new String(rawBody, StandardCharsets.UTF_8), "payload");
        if (payloadText == null) {
            return reject(call, 400, "body: no payload field");
        }
        JsonObject payload;
        try {
            JsonElement e = JsonParser.parseString(payloadText);
            if (!e.isJsonObject()) {
                return reject(call, 400, "payload: not a JSON object");
            }
            payload = e.getAsJsonObject();
        } catch (RuntimeException e) {
            return reject(call, 400, "payload: not JSON");
        }
        String refusal = channel.admit(payload);
        if (refusal != null) {
            return reject(call, refusal.startsWith("replayed") ? 409 : 403, refusal);
        }
        channel.dispatch(payload);
        return HttpReply.empty(200);
    }

    /** Refuses the delivery with a precise reason, and records it in lineage (rate-limited). */
    private HttpReply reject(HttpCall call, int status, String why) {
        log.warn("slack interactivity request from {} refused: {}", call.remote(), why);
        JsonObject claimed = null;
        if (call.body().length <= MAX_BODY) {
            try {
                String p = formField(new String(call.body(), StandardCharsets.UTF_8), "payload");
                JsonElement e = p == null ? null : JsonParser.parseString(p);
                claimed = e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
            } catch (RuntimeException e) {
                // unreadable: recorded without the names it claims
            }
        }
        channel.rejected(SlackApprovalChannel.HTTP_TRANSPORT, why, claimed, call.remote(), call.body());
        return HttpReply.text(status, why);
    }

    static String formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
