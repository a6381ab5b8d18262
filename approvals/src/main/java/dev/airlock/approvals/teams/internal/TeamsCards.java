package dev.airlock.approvals.teams.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.internal.Texts;
import dev.airlock.policy.Identity;
import java.time.format.DateTimeFormatter;

/**
 * Adaptive Cards (schema 1.4, Universal Actions) for approval requests. Everything an agent, a token or a voter could
 * have written goes into {@code TextRun}s, which Teams shows as plain text: no markdown, so no links, images or
 * formatting can be injected; every text is bounded so a card stays far below Teams' 28 KB message limit.
 */
public final class TeamsCards {

    public static final String APPROVE = "airlock.approve";
    public static final String DENY = "airlock.deny";
    /** The action data field carrying the request id. */
    public static final String REQUEST_ID = "requestId";
    /** The id of the reason input; its value arrives in the Deny action's data. */
    public static final String REASON = "reason";
    public static final String CARD_TYPE = "application/vnd.microsoft.card.adaptive";

    static final int STATEMENT_MAX = 3000;
    static final int VALUE_MAX = 500;
    static final int REASON_MAX = 1000;
    public static final int DENY_REASON_MAX = 500;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TeamsCards() {
    }

    /** The card with a reason box and Approve / Deny. */
    public static ObjectNode request(ApprovalRequest r) {
        ObjectNode card = card();
        ArrayNode body = common(r, card);
        ObjectNode input = body.addObject();
        input.put("type", "Input.Text");
        input.put("id", REASON);
        input.put("placeholder", "Reason (needed to deny)");
        input.put("isMultiline", true);
        input.put("maxLength", DENY_REASON_MAX);
        ArrayNode actions = card.putArray("actions");
        actions.add(action(APPROVE, "Approve", "positive", "none", r.id()));
        actions.add(action(DENY, "Deny", "destructive", "auto", r.id()));
        return card;
    }

    /** The card after the decision: no input or buttons, the outcome instead. */
    public static ObjectNode outcome(ApprovalRequest r, ApprovalOutcome o) {
        ObjectNode card = card();
        ArrayNode body = common(r, card);
        ObjectNode rich = richText(body);
        ObjectNode run = run(rich, o.describe(), VALUE_MAX + REASON_MAX);
        run.put("weight", "Bolder");
        run.put("color", switch (o.state()) {
            case APPROVED -> "Good";
            case DENIED -> "Attention";
            default -> "Warning";
        });
        return card;
    }

    /** A message activity carrying {@code card}; the summary (notifications, activity feed) holds no agent text. */
    public static ObjectNode message(ObjectNode card, ApprovalRequest r) {
        ObjectNode a = F.objectNode();
        a.put("type", "message");
        a.put("summary", "Approval needed on " + Texts.cut(r.connection(), 200) + " (request " + r.id() + ")");
        ObjectNode attachment = a.putArray("attachments").addObject();
        attachment.put("contentType", CARD_TYPE);
        attachment.set("content", card);
        return a;
    }

    /** A plain text message activity (reminders); {@code textFormat: plain} so Teams renders no markdown. */
    public static ObjectNode text(String text) {
        ObjectNode a = F.objectNode();
        a.put("type", "message");
        a.put("textFormat", "plain");
        a.put("text", Texts.cut(text, 2000));
        return a;
    }

    private static ObjectNode card() {
        ObjectNode card = F.objectNode();
        card.put("type", "AdaptiveCard");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("version", "1.4");
        card.putObject("msteams").put("width", "Full");
        return card;
    }

    private static ArrayNode common(ApprovalRequest r, ObjectNode card) {
        ArrayNode body = card.putArray("body");
        ObjectNode title = body.addObject();
        title.put("type", "TextBlock");
        title.put("text", "Approval needed");
        title.put("size", "Medium");
        title.put("weight", "Bolder");
        title.put("wrap", true);
        run(richText(body), r.protocol() + " on " + r.connection(), VALUE_MAX).put("isSubtle", true);

        Identity who = r.requester();
        field(body, "Requester", who.isDelegated() ? who.actingSubject() + " (agent)" : display(who));
        field(body, "Acting for", who.isDelegated() ? display(who) : "—");
        field(body, "Connection", r.connection() + (r.targets().isEmpty() ? "" : " · " + String.join(", ", r.targets())));
        field(body, "Rule", String.join(", ", r.ruleIds()));

        ObjectNode statement = richText(body);
        statement.put("separator", true);
        run(statement, r.actionText(), STATEMENT_MAX).put("fontType", "Monospace");

        if (!r.explanation().isEmpty()) {
            field(body, "Why", r.explanation());
        }
        if (r.statedReason() != null && !r.statedReason().isBlank()) {
            field(body, "Agent's stated reason (unverified)", r.statedReason());
        }
        if (r.impact() != null && !r.impact().isBlank()) {
            field(body, "Impact", r.impact());
        }
        ObjectNode context = richText(body);
        run(context, "Request " + r.id() + " · profile " + Texts.cut(r.profile().name(), 100) + " · expires "
                + DateTimeFormatter.ISO_INSTANT.format(r.expiresAt()), VALUE_MAX).put("size", "Small").put("isSubtle", true);
        return body;
    }

    private static void field(ArrayNode body, String label, String value) {
        ObjectNode rich = richText(body);
        run(rich, label + ": ", 100).put("weight", "Bolder");
        run(rich, value, label.startsWith("Agent") || label.equals("Why") ? REASON_MAX : VALUE_MAX);
    }

    private static ObjectNode action(String verb, String title, String style, String inputs, String requestId) {
        ObjectNode a = F.objectNode();
        a.put("type", "Action.Execute");
        a.put("verb", verb);
        a.put("title", title);
        a.put("style", style);
        a.put("associatedInputs", inputs);
        a.putObject("data").put(REQUEST_ID, requestId);
        return a;
    }

    private static ObjectNode richText(ArrayNode body) {
        ObjectNode rich = body.addObject();
        rich.put("type", "RichTextBlock");
        rich.putArray("inlines");
        return rich;
    }

    private static ObjectNode run(ObjectNode rich, String text, int max) {
        ObjectNode run = ((ArrayNode) rich.get("inlines")).addObject();
        run.put("type", "TextRun");
        run.put("text", Texts.cut(text, max));
        return run;
    }

    private static String display(Identity i) {
        return i.email() != null ? i.email() : i.subject();
    }
}
