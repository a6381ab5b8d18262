package dev.airlock.audit;

import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Journal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Persistence of approval requests and votes for the approvals module. Every call is one synchronous
 * transaction (run it off the event loop). Each fact (request, vote, state change, refused vote, refused
 * delivery) is a row of its table and a record of this store's hash chain (sealed by {@link Journal}); each
 * state change sends {@code NOTIFY airlock_approvals, '<request id>'} on commit.
 */
public final class ApprovalStore {

    /** The PostgreSQL notification channel for request state changes. */
    public static final String CHANNEL = "airlock_approvals";

    private static final String SELECT = "SELECT request_id, action_id, action_digest, session_id, subject, chain_subjects, "
            + "connection, policy_version, profile, approvers, channels, summary, at, expires_at, state, state_changed_at, "
            + "decided_by, decided_channel, decided_reason FROM lineage.approval_requests";

    private final DataSource ds;
    private final Journal journal;

    /**
     * Statements of the caller's own (e.g. the approvals module's tables) that run in the same transaction as
     * a store call, so both commit or neither does.
     */
    @FunctionalInterface
    public interface AlsoInTransaction {
        void run(Connection c) throws SQLException;
    }

    /**
     * A chat delivery (click, callback) refused before it reached a request: forged, stale, replayed,
     * for another app or workspace. Everything it names is unverified.
     *
     * @param channel     where it came from, e.g. {@code slack-http}
     * @param reason      what was wrong, as the sender was told
     * @param requestId   the request it named, or {@code null}
     * @param claimedUser the user it named, or {@code null}
     * @param remote      the peer address, or {@code null}
     * @param bodyDigest  hex SHA-256 of the raw delivery, or {@code null}
     */
    public record RejectedInteraction(String channel, String reason, String requestId, String claimedUser, String remote,
                                      String bodyDigest, Instant at) {
        public RejectedInteraction {
            java.util.Objects.requireNonNull(channel, "channel");
            java.util.Objects.requireNonNull(reason, "reason");
            java.util.Objects.requireNonNull(at, "at");
        }
    }

    public ApprovalStore(DataSource ds, String chain) {
        this.ds = ds;
        this.journal = new Journal(chain);
    }

    /** Stores a new pending request and reads it back. */
    public ApprovalRequest create(NewApproval n) {
        create(n, null);
        return find(n.requestId()).orElseThrow();
    }

    /** Stores a new pending request; {@code also} (may be {@code null}) runs in the same transaction. */
    public void create(NewApproval n, AlsoInTransaction also) {
        Envelope e = EventCodec.approvalRequest(n, LineageIds.next(), Instant.now());
        inTransaction(c -> {
            append(c, List.of(e));
            if (also != null) {
                also.run(c);
            }
            notify(c, n.requestId());
            return null;
        });
    }

    /**
     * Records a vote while the request is pending.
     *
     * @return the vote, or empty when the request is not pending (already decided, expired or cancelled)
     */
    public Optional<ApprovalVote> recordVote(UUID requestId, String voter, ApprovalVote.Choice choice, String channel,
                                             String reason) {
        ApprovalVote v = new ApprovalVote(LineageIds.next(), requestId, voter, choice, channel, reason, Instant.now());
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state FROM lineage.approval_requests WHERE request_id = ? FOR SHARE")) {
                ps.setObject(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("requestId: " + requestId + " (expected: an existing request)");
                    }
                    if (!rs.getString(1).equals("pending")) {
                        return Optional.empty();
                    }
                }
            }
            append(c, List.of(EventCodec.approvalVote(v, LineageIds.next())));
            return Optional.of(v);
        });
    }

    /**
     * Casts one vote in one transaction, under the request's row lock: records it unless the request is no
     * longer pending, past its deadline, or this voter already voted; when it is a deny, or the approval that
     * brings the distinct approvers to {@code quorum}, also moves the request to its final state (journal
     * record and {@code NOTIFY}). {@code also} (may be {@code null}) runs in the transaction when the vote
     * is recorded.
     */
    public VoteCast castVote(UUID voteId, UUID requestId, String voter, String voterEmail, ApprovalVote.Choice choice,
                             String channel, String reason, int quorum, Instant now, AlsoInTransaction also) {
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum: " + quorum + " (expected: >= 1)");
        }
        return inTransaction(c -> {
            ApprovalState state;
            Instant expiresAt;
            String decidedBy;
            String decidedReason;
            Instant decidedAt;
            List<ApprovalVote> votes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT r.state, r.expires_at, r.decided_by, r.decided_reason, "
                    + "r.state_changed_at, v.vote_id, v.voter, v.vote, v.channel, v.reason, v.at, v.voter_email "
                    + "FROM lineage.approval_requests r LEFT JOIN lineage.approval_votes v ON v.request_id = r.request_id "
                    + "WHERE r.request_id = ? ORDER BY v.at, v.vote_id FOR UPDATE OF r")) {
                ps.setObject(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("requestId: " + requestId + " (expected: an existing request)");
                    }
                    state = ApprovalState.fromSql(rs.getString(1));
                    expiresAt = instant(rs, 2);
                    decidedBy = rs.getString(3);
                    decidedReason = rs.getString(4);
                    decidedAt = instant(rs, 5);
                    do {
                        UUID id = rs.getObject(6, UUID.class);
                        if (id != null) {
                            votes.add(new ApprovalVote(id, requestId, rs.getString(7),
                                    ApprovalVote.Choice.valueOf(rs.getString(8).toUpperCase(Locale.ROOT)), rs.getString(9),
                                    rs.getString(10), instant(rs, 11), rs.getString(12)));
                        }
                    } while (rs.next());
                }
            }
            if (state != ApprovalState.PENDING) {
                return new VoteCast(VoteCast.Status.NOT_PENDING, state, decidedBy, decidedReason, decidedAt, votes);
            }
            if (!expiresAt.isAfter(now)) {
                return new VoteCast(VoteCast.Status.PAST_DEADLINE, state, null, null, null, votes);
            }
            if (votes.stream().anyMatch(v -> v.voter().equals(voter))) {
                return new VoteCast(VoteCast.Status.ALREADY_VOTED, state, null, null, null, votes);
            }
            ApprovalVote v = new ApprovalVote(voteId, requestId, voter, choice, channel, reason, now, voterEmail);
            votes.add(v);
            long approvers = votes.stream().filter(x -> x.choice() == ApprovalVote.Choice.APPROVE)
                    .map(ApprovalVote::voter).distinct().count();
            ApprovalState to = choice == ApprovalVote.Choice.DENY ? ApprovalState.DENIED
                    : approvers >= quorum ? ApprovalState.APPROVED : ApprovalState.PENDING;
            String toReason = to == ApprovalState.DENIED ? reason : null;
            List<Envelope> records = new ArrayList<>(2);
            records.add(EventCodec.approvalVote(v, LineageIds.next()));
            if (to != ApprovalState.PENDING) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE lineage.approval_requests SET state = ?, "
                        + "state_changed_at = ?, decided_by = ?, decided_channel = ?, decided_reason = ? WHERE request_id = ?")) {
                    ps.setString(1, to.sqlName());
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setString(3, voter);
                    ps.setString(4, channel);
                    ps.setString(5, toReason);
                    ps.setObject(6, requestId);
                    ps.executeUpdate();
                }
                records.add(EventCodec.approvalState(LineageIds.next(), now, requestId, "pending", to.sqlName(), voter,
                        channel, toReason));
            }
            append(c, records);
            if (also != null) {
                also.run(c);
            }
            if (to == ApprovalState.PENDING) {
                return new VoteCast(VoteCast.Status.RECORDED, to, null, null, null, votes);
            }
            notify(c, requestId);
            return new VoteCast(VoteCast.Status.DECIDED, to, voter, toReason, now, votes);
        });
    }

    /**
     * Records a refused vote attempt on an existing request (who tried, where, why it did not count): a chained
     * row of {@code lineage.approval_refusals}.
     *
     * @param vote      {@code approve} or {@code deny}
     * @param rejection the refusal code, e.g. {@code self_approval}
     */
    public void recordRefusal(UUID requestId, String voter, String email, String channel, String vote, String rejection,
                              Instant at) {
        UUID recordId = LineageIds.next();
        inTransaction(c -> {
            // the request's row before the chain head, as castVote and compareAndSet take them: the refusal's foreign
            // key check would otherwise wait for a vote's row lock while holding the head that vote waits for
            long refusalId;
            try (PreparedStatement ps = c.prepareStatement("SELECT nextval(pg_get_serial_sequence("
                    + "'lineage.approval_refusals', 'refusal_id')) FROM lineage.approval_requests WHERE request_id = ? "
                    + "FOR KEY SHARE")) {
                ps.setObject(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("requestId: " + requestId + " (expected: an existing request)");
                    }
                    refusalId = rs.getLong(1);
                }
            }
            append(c, List.of(EventCodec.approvalRefusal(refusalId, recordId, at, requestId, voter, email, channel, vote,
                    rejection)));
            return null;
        });
    }

    /** Records a refused chat delivery: a chained row of {@code lineage.approval_rejected_interactions}. */
    public void recordRejectedInteraction(RejectedInteraction r) {
        Envelope e = EventCodec.rejectedInteraction(LineageIds.next(), r.at(), r.channel(), r.reason(), r.requestId(),
                r.claimedUser(), r.remote(), r.bodyDigest());
        inTransaction(c -> {
            append(c, List.of(e));
            return null;
        });
    }

    /**
     * Moves a pending request to {@code to}. Approving or denying an expired request fails; expiring
     * or cancelling one does not need the deadline to be checked.
     *
     * @return whether this caller made the change (exactly one of several concurrent callers wins)
     */
    public boolean compareAndSet(UUID requestId, ApprovalState to, String by, String channel, String reason) {
        if (!to.terminal()) {
            throw new IllegalArgumentException("to: " + to + " (expected: a terminal state)");
        }
        boolean deadlineMatters = to == ApprovalState.APPROVED || to == ApprovalState.DENIED;
        return inTransaction(c -> {
            Instant now = Instant.now();
            try (PreparedStatement ps = c.prepareStatement("UPDATE lineage.approval_requests SET state = ?, "
                    + "state_changed_at = ?, decided_by = ?, decided_channel = ?, decided_reason = ? "
                    + "WHERE request_id = ? AND state = 'pending' AND (NOT ? OR expires_at > ?)")) {
                ps.setString(1, to.sqlName());
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setString(3, by);
                ps.setString(4, channel);
                ps.setString(5, reason);
                ps.setObject(6, requestId);
                ps.setBoolean(7, deadlineMatters);
                ps.setTimestamp(8, Timestamp.from(now));
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            append(c, List.of(EventCodec.approvalState(LineageIds.next(), now, requestId, "pending", to.sqlName(), by, channel,
                    reason)));
            notify(c, requestId);
            return true;
        });
    }

    private void append(Connection c, List<Envelope> records) throws SQLException {
        journal.append(c, records, false);
    }

    public Optional<ApprovalRequest> find(UUID requestId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE request_id = ?")) {
                ps.setObject(1, requestId);
                List<ApprovalRequest> l = read(ps);
                return l.isEmpty() ? Optional.<ApprovalRequest>empty() : Optional.of(l.get(0));
            }
        });
    }

    /** Pending requests, oldest first (to resume after a restart). */
    public List<ApprovalRequest> pending() {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE state = 'pending' ORDER BY at")) {
                return read(ps);
            }
        });
    }

    public List<ApprovalVote> votes(UUID requestId) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT vote_id, request_id, voter, vote, channel, reason, at, "
                    + "voter_email FROM lineage.approval_votes WHERE request_id = ? ORDER BY at, vote_id")) {
                ps.setObject(1, requestId);
                List<ApprovalVote> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ApprovalVote(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                                ApprovalVote.Choice.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), rs.getString(5),
                                rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant(), rs.getString(8)));
                    }
                }
                return out;
            }
        });
    }

    private static List<ApprovalRequest> read(PreparedStatement ps) throws SQLException {
        List<ApprovalRequest> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ApprovalRequest(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        rs.getObject(4, UUID.class), rs.getString(5), strings(rs.getArray(6)), rs.getString(7),
                        rs.getString(8), rs.getString(9), jsonStrings(rs.getString(10)), strings(rs.getArray(11)),
                        rs.getString(12), instant(rs, 13), instant(rs, 14), ApprovalState.fromSql(rs.getString(15)),
                        instant(rs, 16), rs.getString(17), rs.getString(18), rs.getString(19)));
            }
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    private static List<String> jsonStrings(String json) {
        List<String> out = new ArrayList<>();
        try {
            EventCodec.JSON.readTree(json).forEach(n -> out.add(n.asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LineageException("approvers: " + e.getOriginalMessage(), e);
        }
        return out;
    }

    private static void notify(Connection c, UUID requestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, requestId.toString());
            ps.execute();
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T t = work.run(c);
                c.commit();
                return t;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new LineageException("approval store: " + e.getMessage(), e);
        }
    }
}
