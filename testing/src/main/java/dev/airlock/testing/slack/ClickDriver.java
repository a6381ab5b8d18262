package dev.airlock.testing.slack;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds real Slack {@code block_actions} / {@code view_submission} payloads and posts them signed, as Slack does.
 * It signs with its own HMAC code, not Airlock's verifier, so a bug there cannot hide itself.
 */
public final class ClickDriver {

    private static final AtomicLong ACTION_TS = new AtomicLong(1_700_000_000_000L);

    private final HttpClient http = HttpClient.newHttpClient();
    private final String signingSecret;
    private final URI requestUrl;

    public ClickDriver(String signingSecret, URI requestUrl) {
        this.signingSecret = signingSecret;
        this.requestUrl = requestUrl;
    }

    /** A fresh action timestamp, like Slack's {@code "1700000000.123456"}. */
    public static String nextActionTs() {
        long v = ACTION_TS.incrementAndGet();
        return (v / 1_000_000) + "." + String.format("%06d", v % 1_000_000);
    }

    public static JsonObject blockActions(String userId, String teamId, String appId, String requestId, String actionId,
                                          String messageTs, String actionTs) {
        JsonObject p = new JsonObject();
        p.addProperty("type", "block_actions");
        JsonObject user = new JsonObject();
        user.addProperty("id", userId);
        user.addProperty("team_id", teamId);
        user.addProperty("username", userId.toLowerCase());
        p.add("user", user);
        p.addProperty("api_app_id", appId);
        p.addProperty("token", "deprecated-verification-token");
        JsonObject team = new JsonObject();
        team.addProperty("id", teamId);
        team.addProperty("domain", "airlock-test");
        p.add("team", team);
        JsonObject channel = new JsonObject();
        channel.addProperty("id", SlackStandIn.CHANNEL_ID);
        channel.addProperty("name", "db-approvals");
        p.add("channel", channel);
        JsonObject container = new JsonObject();
        container.addProperty("type", "message");
        container.addProperty("message_ts", messageTs);
        container.addProperty("channel_id", SlackStandIn.CHANNEL_ID);
        container.addProperty("is_ephemeral", false);
        p.add("container", container);
        JsonObject message = new JsonObject();
        message.addProperty("ts", messageTs);
        message.addProperty("type", "message");
        p.add("message", message);
        p.addProperty("trigger_id", "13345224609.738474920.8088930838d88f008e0");
        p.addProperty("response_url", "https://hooks.slack.com/actions/T0AIRLOCK/1/abc");
        JsonArray actions = new JsonArray();
        JsonObject a = new JsonObject();
        a.addProperty("action_id", actionId);
        a.addProperty("block_id", "airlock:" + requestId);
        a.addProperty("value", requestId);
        a.addProperty("type", "button");
        a.addProperty("action_ts", actionTs);
        JsonObject text = new JsonObject();
        text.addProperty("type", "plain_text");
        text.addProperty("text", actionId.endsWith("approve") ? "Approve" : "Deny");
        a.add("text", text);
        actions.add(a);
        p.add("actions", actions);
        return p;
    }

    public static JsonObject viewSubmission(String userId, String teamId, String appId, String requestId, String reason) {
        JsonObject p = new JsonObject();
        p.addProperty("type", "view_submission");
        JsonObject user = new JsonObject();
        user.addProperty("id", userId);
        user.addProperty("team_id", teamId);
        p.add("user", user);
        p.addProperty("api_app_id", appId);
        JsonObject team = new JsonObject();
        team.addProperty("id", teamId);
        p.add("team", team);
        p.addProperty("trigger_id", "13345224609.738474920.8088930838d88f008e1");
        JsonObject view = new JsonObject();
        view.addProperty("id", "V" + nextActionTs().replace(".", ""));
        view.addProperty("hash", "156772938.1827394");
        view.addProperty("callback_id", "airlock.deny_reason");
        view.addProperty("private_metadata", requestId + " " + SlackStandIn.CHANNEL_ID);
        JsonObject value = new JsonObject();
        value.addProperty("type", "plain_text_input");
        value.addProperty("value", reason);
        JsonObject action = new JsonObject();
        action.add("reason", value);
        JsonObject values = new JsonObject();
        values.add("reason", action);
        JsonObject state = new JsonObject();
        state.add("values", values);
        view.add("state", state);
        p.add("view", view);
        return p;
    }

    public static String form(JsonObject payload) {
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** Posts {@code payload} signed with the right secret and the current time. */
    public HttpResponse<String> post(JsonObject payload) throws IOException, InterruptedException {
        String body = form(payload);
        String ts = String.valueOf(System.currentTimeMillis() / 1000);
        return post(body, ts, sign(signingSecret, ts, body));
    }

    /** Slack's v0 signature: {@code v0=} + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)). */
    public static String sign(String signingSecret, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256", e);
        }
    }

    /** Posts a raw body with the given timestamp and signature headers (for forgeries). */
    public HttpResponse<String> post(String body, String timestamp, String signature) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(requestUrl)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (timestamp != null) {
            b.header("X-Slack-Request-Timestamp", timestamp);
        }
        if (signature != null) {
            b.header("X-Slack-Signature", signature);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
