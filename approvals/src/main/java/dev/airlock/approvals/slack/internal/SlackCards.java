package dev.airlock.approvals.slack.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.policy.Identity;
import java.time.format.DateTimeFormatter;

/**
 * Block Kit for approval cards and the deny-reason modal. Everything an agent or a token could have
 * written is escaped; every text respects Slack's limits.
 */
public final class SlackCards {

    public static final String APPROVE = "airlock.approve";
    public static final String DENY = "airlock.deny";
    public static final String DENY_REASON_CALLBACK = "airlock.deny_reason";
    public static final String BLOCK_PREFIX = "airlock:";
    public static final String REASON_BLOCK = "reason";
    public static final String REASON_ACTION = "reason";

    static final int SECTION_TEXT_MAX = 3000;
    static final int FIELD_TEXT_MAX = 2000;
    static final int HEADER_MAX = 150;
    static final int CONTEXT_TEXT_MAX = 2000;

    private SlackCards() {
    }

    /** The card with Approve / Deny buttons. */
    public static JsonArray request(ApprovalRequest r) {
        JsonArray blocks = common(r);
        JsonObject actions = new JsonObject();
        actions.addProperty("type", "actions");
        actions.addProperty("block_id", BLOCK_PREFIX + r.id());
        JsonArray elements = new JsonArray();
        elements.add(button(APPROVE, "Approve", "primary", r.id()));
        elements.add(button(DENY, "Deny", "danger", r.id()));
        actions.add("elements", elements);
        blocks.add(actions);
        return blocks;
    }

    /** The card after the decision: no buttons, the outcome instead. */
    public static JsonArray outcome(ApprovalRequest r, ApprovalOutcome o) {
        JsonArray blocks = common(r);
        String mark = switch (o.state()) {
            case APPROVED -> ":white_check_mark: ";
            case DENIED -> ":no_entry: ";
            case EXPIRED -> ":hourglass: ";
            default -> ":heavy_multiplication_x: ";
        };
        blocks.add(section(mark + "*" + SlackText.escapeAndTruncate(o.describe(), SECTION_TEXT_MAX - 40) + "*"));
        return blocks;
    }

    /** Fallback text for notifications; no agent text in it. */
    public static String fallback(ApprovalRequest r) {
        return "Approval needed on " + SlackText.escapeAndTruncate(r.connection(), 200) + " (request " + r.id() + ")";
    }

    private static JsonArray common(ApprovalRequest r) {
        JsonArray blocks = new JsonArray();
        JsonObject header = new JsonObject();
        header.addProperty("type", "header");
        header.add("text", plainText(SlackText.plain("Approval needed: " + r.protocol() + " on " + r.connection(), HEADER_MAX)));
        blocks.add(header);

        Identity who = r.requester();
        JsonObject fields = new JsonObject();
        fields.addProperty("type", "section");
        JsonArray fa = new JsonArray();
        fa.add(mrkdwn(field("Requester", who.isDelegated() ? who.actingSubject() + " (agent)" : display(who))));
        fa.add(mrkdwn(field("Acting for", who.isDelegated() ? display(who) : "—")));
        fa.add(mrkdwn(field("Connection", r.connection() + (r.targets().isEmpty() ? "" : " · " + String.join(", ", r.targets())))));
        fa.add(mrkdwn(field("Rule", String.join(", ", r.ruleIds()))));
        fields.add("fields", fa);
        blocks.add(fields);

        blocks.add(section(SlackText.codeBlock(r.actionText(), SECTION_TEXT_MAX)));

        StringBuilder why = new StringBuilder();
        if (!r.explanation().isEmpty()) {
            why.append("*Why:* ").append(SlackText.escapeAndTruncate(r.explanation(), 1000));
        }
        if (r.statedReason() != null && !r.statedReason().isBlank()) {
            why.append(why.length() == 0 ? "" : "\n").append("*Agent's stated reason (unverified):* ")
                    .append(SlackText.escapeAndTruncate(r.statedReason(), 1000));
        }
        if (r.impact() != null && !r.impact().isBlank()) {
            why.append(why.length() == 0 ? "" : "\n").append("*Impact:* ").append(SlackText.escapeAndTruncate(r.impact(), 500));
        }
        if (why.length() > 0) {
            blocks.add(section(why.toString()));
        }

        JsonObject context = new JsonObject();
        context.addProperty("type", "context");
        JsonArray ce = new JsonArray();
        ce.add(mrkdwn(SlackText.plain("Request `" + r.id() + "` · profile " + SlackText.escapeAndTruncate(r.profile().name(), 100)
                + " · expires " + DateTimeFormatter.ISO_INSTANT.format(r.expiresAt()), CONTEXT_TEXT_MAX)));
        context.add("elements", ce);
        blocks.add(context);
        return blocks;
    }

    /** The modal that asks a denier for a reason; {@code privateMetadata} carries request id and channel. */
    public static JsonObject denyModal(String privateMetadata) {
        JsonObject v = new JsonObject();
        v.addProperty("type", "modal");
        v.addProperty("callback_id", DENY_REASON_CALLBACK);
        v.addProperty("private_metadata", privateMetadata);
        v.add("title", plainText("Deny request"));
        v.add("submit", plainText("Deny"));
        v.add("close", plainText("Cancel"));
        JsonObject input = new JsonObject();
        input.addProperty("type", "input");
        input.addProperty("block_id", REASON_BLOCK);
        input.add("label", plainText("Reason"));
        JsonObject el = new JsonObject();
        el.addProperty("type", "plain_text_input");
        el.addProperty("action_id", REASON_ACTION);
        el.addProperty("multiline", true);
        el.addProperty("max_length", 500);
        input.add("element", el);
        JsonArray blocks = new JsonArray();
        blocks.add(input);
        v.add("blocks", blocks);
        return v;
    }

    private static String display(Identity i) {
        return i.email() != null ? i.email() : i.subject();
    }

    private static String field(String label, String value) {
        return "*" + label + "*\n" + SlackText.escapeAndTruncate(value, FIELD_TEXT_MAX - label.length() - 4);
    }

    private static JsonObject button(String actionId, String text, String style, String value) {
        JsonObject b = new JsonObject();
        b.addProperty("type", "button");
        b.addProperty("action_id", actionId);
        b.add("text", plainText(SlackText.plain(text, 75)));
        b.addProperty("style", style);
        b.addProperty("value", value);
        return b;
    }

    private static JsonObject section(String mrkdwn) {
        JsonObject s = new JsonObject();
        s.addProperty("type", "section");
        s.add("text", mrkdwn(mrkdwn));
        return s;
    }

    /** A mrkdwn text object that Slack shows as written: no auto-linked URLs, channel names or mentions. */
    private static JsonObject mrkdwn(String text) {
        JsonObject t = new JsonObject();
        t.addProperty("type", "mrkdwn");
        t.addProperty("text", text);
        t.addProperty("verbatim", true);
        return t;
    }

    private static JsonObject plainText(String text) {
        JsonObject t = new JsonObject();
        t.addProperty("type", "plain_text");
        t.addProperty("text", text);
        t.addProperty("emoji", false);
        return t;
    }
}
