package dev.airlock.approvals.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.policy.Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@link ApprovalRequest} ↔ the JSON kept in {@code lineage.approval_details}. Of the requester's claims
 * only {@code email} is kept (all that eligibility needs); the full token is in the session row.
 */
public final class RequestCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestCodec() {
    }

    public static String write(ApprovalRequest r) {
        ObjectNode o = JSON.createObjectNode();
        ApprovalProfile p = r.profile();
        ObjectNode po = o.putObject("profile");
        po.put("name", p.name());
        strings(po.putArray("groups"), p.approvers().groups());
        strings(po.putArray("users"), p.approvers().users());
        po.put("quorum", p.quorum());
        po.put("timeout_ms", p.timeout().toMillis());
        if (p.remindAfter() != null) {
            po.put("remind_after_ms", p.remindAfter().toMillis());
        }
        po.put("grant_window_ms", p.grantWindow().toMillis());
        strings(po.putArray("channels"), p.channels());
        Identity i = r.requester();
        ObjectNode io = o.putObject("requester");
        io.put("issuer", i.issuer()).put("subject", i.subject()).put("email", i.email())
                .put("email_claim", i.claims().get("email") instanceof String s ? s : null);
        strings(io.putArray("groups"), new java.util.TreeSet<>(i.groups()));
        ArrayNode actors = io.putArray("actors");
        for (Identity.Actor a : i.actors()) {
            actors.addObject().put("subject", a.subject()).put("issuer", a.issuer())
                    .put("email", a.claims().get("email") instanceof String s ? s : null);
        }
        o.put("action_digest", r.actionDigest()).put("action_text", r.actionText()).put("connection", r.connection())
                .put("protocol", r.protocol()).put("policy_version", r.policyVersion());
        strings(o.putArray("rule_ids"), r.ruleIds());
        o.put("explanation", r.explanation()).put("stated_reason", r.statedReason()).put("impact", r.impact());
        strings(o.putArray("targets"), r.targets());
        o.put("created_at", r.createdAt().toString()).put("expires_at", r.expiresAt().toString()).put("owner", r.owner())
                .put("session_id", r.sessionId() == null ? null : r.sessionId().toString())
                .put("action_id", r.actionId() == null ? null : r.actionId().toString());
        return o.toString();
    }

    public static ApprovalRequest read(String id, String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("approval " + id + ": detail is not JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode po = o.get("profile");
        ApprovalProfile p = new ApprovalProfile(po.get("name").asText(),
                new ApprovalProfile.Approvers(set(po.get("groups")), set(po.get("users"))), po.get("quorum").asInt(),
                Duration.ofMillis(po.get("timeout_ms").asLong()),
                po.hasNonNull("remind_after_ms") ? Duration.ofMillis(po.get("remind_after_ms").asLong()) : null,
                Duration.ofMillis(po.get("grant_window_ms").asLong()), list(po.get("channels")));
        JsonNode io = o.get("requester");
        List<Identity.Actor> actors = new ArrayList<>();
        for (JsonNode a : io.get("actors")) {
            actors.add(new Identity.Actor(a.get("subject").asText(), text(a, "issuer"),
                    a.hasNonNull("email") ? Map.of("email", a.get("email").asText()) : Map.of()));
        }
        Identity requester = new Identity(io.get("issuer").asText(), io.get("subject").asText(), text(io, "email"),
                set(io.get("groups")), io.hasNonNull("email_claim") ? Map.of("email", io.get("email_claim").asText()) : Map.of(),
                actors);
        return new ApprovalRequest(id, p, requester, o.get("action_digest").asText(), o.get("action_text").asText(),
                o.get("connection").asText(), o.get("protocol").asText(), o.get("policy_version").asText(),
                list(o.get("rule_ids")), text(o, "explanation"), text(o, "stated_reason"), text(o, "impact"),
                list(o.get("targets")), Instant.parse(o.get("created_at").asText()), Instant.parse(o.get("expires_at").asText()),
                o.get("owner").asText(), uuid(o, "session_id"), uuid(o, "action_id"));
    }

    private static UUID uuid(JsonNode o, String name) {
        return o.hasNonNull(name) ? UUID.fromString(o.get(name).asText()) : null;
    }

    private static String text(JsonNode o, String name) {
        return o.hasNonNull(name) ? o.get(name).asText() : null;
    }

    private static void strings(ArrayNode a, Iterable<String> values) {
        for (String v : values) {
            a.add(v);
        }
    }

    private static List<String> list(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private static Set<String> set(JsonNode a) {
        return new LinkedHashSet<>(list(a));
    }
}
