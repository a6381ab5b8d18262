package dev.airlock.connectors.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.policy.Identity;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests answered {@code 202 Accepted} because the agent sent {@code Prefer: respond-async} while approval was
 * pending: each runs on once decided, and its response waits here for the agent to fetch it from
 * {@value #PATH_PREFIX}{@code <request id>} (only with a token of the same subject), for a limited time after it
 * completed. Held in memory by the listener that accepted the request. Thread-safe: polls arrive on any event loop.
 */
final class AsyncRequests {

    /** Reserved path prefix on every HTTP listener. */
    static final String PATH_PREFIX = "/_airlock/requests/";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A finished request: what the agent gets when it polls. */
    record Result(int status, HttpHeaders headers, byte[] body) {
        Result {
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(body, "body");
        }
    }

    /** One held request. */
    static final class Entry {
        final UUID id;
        final String issuer;
        final String subject;
        final String connection;
        final String approvalRequestId;
        final List<String> channels;
        final Instant expiresAt;
        private volatile Result result;

        Entry(UUID id, Identity who, String connection, String approvalRequestId, List<String> channels, Instant expiresAt) {
            this.id = id;
            this.issuer = who.issuer();
            this.subject = who.subject();
            this.connection = connection;
            this.approvalRequestId = approvalRequestId;
            this.channels = List.copyOf(channels);
            this.expiresAt = expiresAt;
        }

        Result result() {
            return result;
        }

        boolean ownedBy(Identity who) {
            return issuer.equals(who.issuer()) && subject.equals(who.subject());
        }

        /** The body of a {@code 202}: where the request stands and where to poll. */
        byte[] pendingJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("state", "pending").put("request_id", id.toString()).put("approval_request_id", approvalRequestId)
                    .put("expires_at", expiresAt.toString()).put("poll", PATH_PREFIX + id);
            o.putArray("channels").addAll(channels.stream().map(o::textNode).toList());
            return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Map<UUID, Entry> entries = new ConcurrentHashMap<>();
    private final int max;
    private final Duration ttl;

    AsyncRequests(int max, Duration ttl) {
        this.max = max;
        this.ttl = ttl;
    }

    /** Holds a request; {@code null} when {@link #max} are held already (the agent then waits on its connection). */
    Entry register(UUID id, Identity who, String connection, String approvalRequestId, List<String> channels, Instant expiresAt) {
        if (entries.size() >= max) {
            return null;
        }
        Entry e = new Entry(id, who, connection, approvalRequestId, channels, expiresAt);
        entries.put(id, e);
        return e;
    }

    Entry find(UUID id) {
        return entries.get(id);
    }

    /** Stores the result and forgets the request {@link #ttl} later. */
    void complete(Entry e, Result r, EventExecutor timer) {
        e.result = r;
        timer.schedule(() -> entries.remove(e.id, e), ttl.toMillis(), TimeUnit.MILLISECONDS);
    }

    int size() {
        return entries.size();
    }
}
