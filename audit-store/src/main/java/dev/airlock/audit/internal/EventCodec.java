package dev.airlock.audit.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.ApprovalVote;
import dev.airlock.audit.DataObject;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageEvent;
import dev.airlock.audit.NewApproval;
import dev.airlock.audit.ObjectAccess;
import dev.airlock.audit.PolicyLoaded;
import dev.airlock.audit.ResultRecorded;
import dev.airlock.audit.SessionEnded;
import dev.airlock.audit.SessionRefused;
import dev.airlock.audit.SessionStarted;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Digests;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns events into records ({@link Envelope}s) with the column values of their table. Runs on the
 * writer's thread, never the caller's.
 */
public final class EventCodec {

    public static final ObjectMapper JSON = new ObjectMapper();
    /** Reads JSON with exact decimals: how jsonb text from PostgreSQL is compared with what was written. */
    private static final ObjectMapper EXACT = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final ArrayNode EMPTY_ARRAY = JSON.createArrayNode();
    /** DataObject → its row; the id is a SHA-256 of the object's identity, worth computing once. */
    private static final Map<DataObject, Envelope.ObjectRow> OBJECTS = new ConcurrentHashMap<>();
    private static final int OBJECTS_MAX = 10_000;

    private EventCodec() {}

    public static Envelope encode(LineageEvent event) {
        UUID id = event.recordId();
        long at = Type.micros(event.at());
        if (event instanceof ActionRecorded e) {
            return action(e, id, at);
        } else if (event instanceof DecisionRecorded e) {
            Decision d = e.decision();
            return new Envelope(Table.DECISIONS, new Object[] {e.actionId(), id, at, d.effect().name(), d.approvalProfile(),
                List.copyOf(d.matchedRules()), List.copyOf(d.reasons()), d.explanation(), d.hint(), d.policyVersion(),
                !d.dryRun().isEmpty(), dryRun(d)}, null);
        } else if (event instanceof ResultRecorded e) {
            return new Envelope(Table.RESULTS, new Object[] {e.actionId(), id, at, e.rows(), e.duration().toNanos() / 1_000,
                e.errorClass(), e.errorMessage(), e.status(), e.bytes()}, null);
        } else if (event instanceof SessionStarted e) {
            Identity i = e.identity();
            return new Envelope(Table.SESSION_STARTS, new Object[] {e.sessionId(), id, at, i.issuer(), i.subject(), i.email(),
                List.copyOf(new TreeSet<>(i.groups())), actors(i), i.actingSubject(), claims(i.claims()), e.connection(),
                e.protocol().yamlName(), e.clientAddress(), e.clientProgram(), at}, null);
        } else if (event instanceof SessionEnded e) {
            return new Envelope(Table.SESSION_ENDS, new Object[] {e.sessionId(), id, at, at, e.reason()}, null);
        } else if (event instanceof SessionRefused e) {
            return new Envelope(Table.SESSION_REFUSALS, new Object[] {id, at, e.listener(), e.connection(),
                e.protocol().yamlName(), e.clientAddress(), e.clientProgram(), e.failure(), e.reason()}, null);
        } else if (event instanceof PolicyLoaded e) {
            return new Envelope(Table.POLICY_VERSIONS, new Object[] {id, at, e.hash(), e.source(), at}, null);
        }
        throw new IllegalArgumentException("event: " + event.getClass().getName() + " (expected: a known LineageEvent)");
    }

    private static Envelope action(ActionRecorded e, UUID id, long at) {
        var a = e.action();
        String text = null;
        List<String> argv = null;
        String method = null;
        String path = null;
        String fingerprint = null;
        String parameters = null;
        String kind = null;
        if (a instanceof SqlAction sql) {
            text = sql.text();
            fingerprint = sql.analysis().fingerprint();
            parameters = sql.parameters().isEmpty() ? null : Digests.sha256Hex(sql.parameters());
            kind = sql.analysis().kind().name().toLowerCase(Locale.ROOT);
        } else if (a instanceof SshAction ssh) {
            argv = List.copyOf(ssh.argv());
            kind = ssh.channel().name().toLowerCase(Locale.ROOT);
        } else if (a instanceof HttpAction http) {
            method = http.method();
            path = http.path();
            parameters = http.bodyDigest();
            kind = "http";
        }
        List<Envelope.Link> links = new ArrayList<>(e.objects().size());
        for (ObjectAccess oa : e.objects()) {
            Envelope.Link l = new Envelope.Link(row(oa.object()), oa.access().sqlName());
            if (!links.contains(l)) {
                links.add(l);
            }
        }
        links.sort(null);
        return new Envelope(Table.ACTIONS, new Object[] {e.actionId(), id, at, e.sessionId(), a.connection(),
            a.protocol().yamlName(), a.summary(), text, argv, method, path, a.digest(), fingerprint, parameters, kind}, links);
    }

    /** The {@code lineage.data_objects} row of an object. */
    public static Envelope.ObjectRow row(DataObject o) {
        Envelope.ObjectRow r = OBJECTS.get(o);
        if (r == null) {
            r = new Envelope.ObjectRow(o.id(), o.kind().name().toLowerCase(Locale.ROOT), o.connection(), o.schema(),
                    o.table(), o.host(), o.path(), o.method(), o.route(), o.display());
            if (OBJECTS.size() >= OBJECTS_MAX) {
                OBJECTS.clear();
            }
            OBJECTS.put(o, r);
        }
        return r;
    }

    private static JsonNode dryRun(Decision d) {
        if (d.dryRun().isEmpty()) {
            return EMPTY_ARRAY;
        }
        ArrayNode dry = JSON.createArrayNode();
        for (Decision.DryRunOutcome o : d.dryRun()) {
            dry.addObject().put("rule_id", o.ruleId()).put("effect", o.effect().name())
                    .put("approval_profile", o.approvalProfile());
        }
        return dry;
    }

    private static JsonNode claims(Map<String, Object> claims) {
        return JSON.valueToTree(new TreeMap<>(claims));
    }

    /** An approval request as stored in {@code lineage.approval_requests}. */
    public static Envelope approvalRequest(NewApproval n, UUID recordId, Instant at) {
        ObjectNode identity = JSON.createObjectNode();
        putIdentity(identity, n.identity());
        ArrayNode approvers = JSON.createArrayNode();
        strings(approvers, n.approvers());
        return new Envelope(Table.APPROVAL_REQUESTS, new Object[] {n.requestId(), recordId, Type.micros(at), n.actionId(),
            n.actionDigest(), n.sessionId(), n.identity().subject(), List.copyOf(n.identity().chainSubjects()), identity,
            n.connection(), n.policyVersion(), n.profile(), approvers, List.copyOf(n.channels()), n.summary(),
            Type.micros(n.expiresAt())}, null);
    }

    /** A vote as stored in {@code lineage.approval_votes}. */
    public static Envelope approvalVote(ApprovalVote v, UUID recordId) {
        return new Envelope(Table.APPROVAL_VOTES, new Object[] {v.voteId(), recordId, Type.micros(v.at()), v.requestId(),
            v.voter(), v.choice().name().toLowerCase(Locale.ROOT), v.channel(), v.reason(), v.voterEmail()}, null);
    }

    /** A refused vote attempt as stored in {@code lineage.approval_refusals}; {@code refusalId} comes from its sequence. */
    public static Envelope approvalRefusal(long refusalId, UUID recordId, Instant at, UUID requestId, String voter,
                                           String email, String channel, String vote, String rejection) {
        return new Envelope(Table.APPROVAL_REFUSALS, new Object[] {refusalId, recordId, Type.micros(at), requestId, voter,
            email, channel, vote, rejection}, null);
    }

    /** A refused delivery as stored in {@code lineage.approval_rejected_interactions}. */
    public static Envelope rejectedInteraction(UUID recordId, Instant at, String channel, String reason, String requestId,
                                               String claimedUser, String remote, String bodyDigest) {
        return new Envelope(Table.APPROVAL_REJECTED_INTERACTIONS, new Object[] {recordId, Type.micros(at), channel, reason,
            requestId, claimedUser, remote, bodyDigest}, null);
    }

    /** A state change as stored in {@code lineage.approval_state_changes}. */
    public static Envelope approvalState(UUID recordId, Instant at, UUID requestId, String from, String to, String by,
                                         String channel, String reason) {
        return new Envelope(Table.APPROVAL_STATE_CHANGES, new Object[] {recordId, Type.micros(at), requestId, from, to, by,
            channel, reason}, null);
    }

    public static void putIdentity(ObjectNode b, Identity id) {
        b.put("issuer", id.issuer()).put("subject", id.subject()).put("email", id.email());
        strings(b.putArray("groups"), new TreeSet<>(id.groups()));
        b.set("actors", actors(id));
        b.put("acting_subject", id.actingSubject());
        b.set("claims", claims(id.claims()));
    }

    public static ArrayNode actors(Identity id) {
        ArrayNode actors = JSON.createArrayNode();
        for (Identity.Actor a : id.actors()) {
            actors.addObject().put("subject", a.subject()).put("issuer", a.issuer())
                    .set("claims", claims(a.claims()));
        }
        return actors;
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

    /** Parses JSON keeping decimals exact. */
    public static JsonNode readTree(String json) {
        try {
            return EXACT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON: " + e.getOriginalMessage(), e);
        }
    }
}
