package dev.airlock.approvals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where approval requests, votes and state live; shared by every replica. All methods may block (JDBC):
 * never call them on an event loop. State changes only through {@link #compareAndSet}.
 */
public interface ApprovalStore extends AutoCloseable {

    /** Stores a new {@code pending} request. */
    void create(ApprovalRequest request);

    Optional<StoredApproval> find(String requestId);

    /** Every pending request (all replicas). */
    List<StoredApproval> pending();

    /**
     * Records an accepted vote while the request is pending.
     *
     * @return {@code false} when this voter already voted on the request or it is no longer pending
     */
    boolean addVote(VoteRecord vote);

    /** Accepted votes, oldest first. */
    List<VoteRecord> votes(String requestId);

    /** Keeps a refused vote attempt for lineage. */
    void recordRefusal(VoteRecord refused);

    /**
     * Moves a request from {@code pending} to {@code to} if and only if it is still pending, and tells
     * every replica (NOTIFY).
     *
     * @param channel where the deciding vote came from, or {@code null}
     * @return whether this caller won
     */
    boolean compareAndSet(String requestId, ApprovalState to, String decidedBy, String channel, String reason, Instant at);

    /**
     * The latest approval of the same action by the same requester on the same connection under the same
     * policy version, decided at or after {@code since}, for grant windows.
     */
    Optional<StoredApproval> findGrant(String actionDigest, String requesterKey, String connection, String policyVersion,
                                       Instant since);

    /** Remembers where a channel posted the request (e.g. Slack channel id + ts) so any replica can update it. */
    void addDelivery(String requestId, String channel, String ref);

    /** Deliveries of a request: channel spec → ref, in posting order. */
    List<Delivery> deliveries(String requestId);

    /**
     * Calls {@code listener} with the request id whenever any replica changes a request's state, until
     * the returned handle is closed. Delivery is best effort; callers also poll.
     */
    AutoCloseable subscribe(Consumer<String> listener);

    @Override
    default void close() {
    }

    /** Where a channel posted a request. */
    record Delivery(String channel, String ref) {
        public Delivery {
            java.util.Objects.requireNonNull(channel, "channel");
            java.util.Objects.requireNonNull(ref, "ref");
        }
    }
}
