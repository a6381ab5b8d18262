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
     * Casts one vote atomically: records it while the request is pending, before its deadline, and when this
     * voter has not voted yet; when it is a deny, or the approval that brings the distinct approvers to
     * {@code quorum}, also moves the request to its final state and tells every replica (NOTIFY).
     */
    Cast castVote(VoteRecord vote, int quorum);

    /** Accepted votes, oldest first. */
    List<VoteRecord> votes(String requestId);

    /** Keeps a refused vote attempt on an existing request for lineage. */
    void recordRefusal(VoteRecord refused);

    /** Keeps a chat delivery that was refused before it reached a request (forged, stale, replayed, misdirected). */
    void recordRejectedDelivery(RejectedDelivery rejected);

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

    /**
     * Remembers where a channel posted the request (e.g. Slack channel id + ts) so any replica can update it.
     *
     * @return the request's state when the delivery was stored (a final state means it was decided meanwhile)
     */
    ApprovalState addDelivery(String requestId, String channel, String ref);

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

    /**
     * What {@link #castVote} did.
     *
     * @param status    the fate of the vote
     * @param state     the request's state afterwards
     * @param decidedBy the deciding voter's subject (approved, denied), or {@code null}
     * @param reason    the deny or cancel reason, or {@code null}
     * @param decidedAt when the request left {@code pending}, or {@code null}
     * @param votes     the accepted votes on the request, oldest first (including this one when recorded)
     */
    record Cast(Status status, ApprovalState state, String decidedBy, String reason, Instant decidedAt, List<VoteRecord> votes) {
        /** The fate of one vote. */
        public enum Status {
            /** recorded; still pending */
            RECORDED,
            /** recorded, and it decided the request */
            DECIDED,
            /** not recorded: this voter already voted */
            ALREADY_VOTED,
            /** not recorded: already decided, expired or cancelled */
            NOT_PENDING,
            /** not recorded: pending but past its deadline */
            PAST_DEADLINE
        }

        public Cast {
            java.util.Objects.requireNonNull(status, "status");
            java.util.Objects.requireNonNull(state, "state");
            votes = List.copyOf(votes);
        }
    }

    /** Where a channel posted a request. */
    record Delivery(String channel, String ref) {
        public Delivery {
            java.util.Objects.requireNonNull(channel, "channel");
            java.util.Objects.requireNonNull(ref, "ref");
        }
    }
}
