package dev.airlock.audit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageEvent;
import dev.airlock.audit.ObjectAccess;
import dev.airlock.audit.PolicyLoaded;
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.SessionEnded;
import dev.airlock.audit.SessionStarted;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Digests;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Encodes events as journal envelopes. Body keys are the column names of the projection tables. */
public final class EventCodec {

    public static final ObjectMapper JSON = new ObjectMapper();

    private EventCodec() {}

    public static Envelope encode(LineageEvent event) {
        ObjectNode b = JSON.createObjectNode();
        String kind;
        if (event instanceof PolicyLoaded e) {
            kind = "policy_version";
            b.put("hash", e.hash()).put("source", e.source()).put("loaded_at", e.at().toString());
        } else if (event instanceof SessionStarted e) {
            kind = "session_start";
            b.put("session_id", e.sessionId().toString());
            putIdentity(b, e.identity());
            b.put("connection", e.connection()).put("protocol", e.protocol().yamlName())
                    .put("client_address", e.clientAddress()).put("client_program", e.clientProgram())
                    .put("started_at", e.at().toString());
        } else if (event instanceof SessionEnded e) {
            kind = "session_end";
            b.put("session_id", e.sessionId().toString()).put("ended_at", e.at().toString()).put("reason", e.reason());
        } else if (event instanceof ActionRecorded e) {
            kind = "action";
            putAction(b, e);
        } else if (event instanceof DecisionRecorded e) {
            kind = "decision";
            Decision d = e.decision();
            b.put("action_id", e.actionId().toString()).put("effect", d.effect().name())
                    .put("approval_profile", d.approvalProfile());
            strings(b.putArray("rule_ids"), d.matchedRules());
            strings(b.putArray("reason_codes"), d.reasons());
            b.put("explanation", d.explanation()).put("hint", d.hint()).put("policy_version", d.policyVersion())
                    .put("dry_run", !d.dryRun().isEmpty());
            ArrayNode dry = b.putArray("dry_run_outcomes");
            for (Decision.DryRunOutcome o : d.dryRun()) {
                dry.addObject().put("rule_id", o.ruleId()).put("effect", o.effect().name())
                        .put("approval_profile", o.approvalProfile());
            }
        } else if (event instanceof ResultRecorded e) {
            kind = "result";
            b.put("action_id", e.actionId().toString());
            if (e.rows() != null) {
                b.put("rows", e.rows());
            }
            b.put("duration_us", e.duration().toNanos() / 1_000).put("error_class", e.errorClass())
                    .put("error_message", e.errorMessage());
            if (e.status() != null) { // only when present, so other protocols' records (and hashes) are unchanged
                b.put("status", e.status());
            }
            if (e.bytes() != null) {
                b.put("bytes", e.bytes());
            }
        } else {
            throw new IllegalArgumentException("event: " + event.getClass().getName() + " (expected: a known LineageEvent)");
        }
        return new Envelope(event.recordId(), kind, event.at(), write(b));
    }

    public static void putIdentity(ObjectNode b, Identity id) {
        b.put("issuer", id.issuer()).put("subject", id.subject()).put("email", id.email());
        strings(b.putArray("groups"), new java.util.TreeSet<>(id.groups()));
        b.set("actors", actors(id));
        b.put("acting_subject", id.actingSubject());
        b.set("claims", JSON.valueToTree(new TreeMap<>(id.claims())));
    }

    public static ArrayNode actors(Identity id) {
        ArrayNode actors = JSON.createArrayNode();
        for (Identity.Actor a : id.actors()) {
            actors.addObject().put("subject", a.subject()).put("issuer", a.issuer())
                    .set("claims", JSON.valueToTree(new TreeMap<>(a.claims())));
        }
        return actors;
    }

    private static void putAction(ObjectNode b, ActionRecorded e) {
        b.put("action_id", e.actionId().toString()).put("session_id", e.sessionId().toString())
                .put("connection", e.action().connection()).put("protocol", e.action().protocol().yamlName())
                .put("summary", e.action().summary()).put("action_digest", e.action().digest());
        if (e.action() instanceof SqlAction sql) {
            b.put("text", sql.text()).put("fingerprint", sql.analysis().fingerprint())
                    .put("parameters_digest", sql.parameters().isEmpty() ? null : Digests.sha256Hex(sql.parameters()))
                    .put("kind", sql.analysis().kind().name().toLowerCase(Locale.ROOT));
        } else if (e.action() instanceof SshAction ssh) {
            strings(b.putArray("argv"), ssh.argv());
            b.put("kind", ssh.channel().name().toLowerCase(Locale.ROOT));
        } else if (e.action() instanceof HttpAction http) {
            b.put("method", http.method()).put("path", http.path())
                    .put("parameters_digest", http.bodyDigest()).put("kind", "http");
        }
        ArrayNode objects = b.putArray("objects");
        for (ObjectAccess oa : e.objects()) {
            var o = oa.object();
            objects.addObject().put("object_id", o.id().toString()).put("kind", o.kind().name().toLowerCase(Locale.ROOT))
                    .put("connection", o.connection()).put("schema_name", o.schema()).put("table_name", o.table())
                    .put("host", o.host()).put("path", o.path()).put("method", o.method()).put("route", o.route())
                    .put("display", o.display()).put("access", oa.access().sqlName());
        }
    }

    public static void strings(ArrayNode a, Collection<String> values) {
        values.forEach(a::add);
    }

    public static String write(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON encoding failed: " + e.getMessage(), e);
        }
    }

    public static Map<String, Object> read(String json) {
        try {
            return JSON.readValue(json, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON: " + e.getOriginalMessage(), e);
        }
    }
}
