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
 * transaction (run it off the event loop). Each fact is also a journal record on the hash chain; each
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

    public ApprovalStore(DataSource ds, String chain) {
        this.ds = ds;
        this.journal = new Journal(chain);
    }

    /** Stores a new pending request. */
    public ApprovalRequest create(NewApproval n) {
        Envelope e = EventCodec.approvalRequest(n, LineageIds.next(), Instant.now());
        inTransaction(c -> {
            append(c, e);
            notify(c, n.requestId());
            return null;
        });
        return find(n.requestId()).orElseThrow();
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
            append(c, EventCodec.approvalVote(v, LineageIds.next()));
            return Optional.of(v);
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
            append(c, EventCodec.approvalState(LineageIds.next(), now, requestId, "pending", to.sqlName(), by, channel, reason));
            notify(c, requestId);
            return true;
        });
    }

    private void append(Connection c, Envelope e) throws SQLException {
        journal.append(c, List.of(e), false);
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
            try (PreparedStatement ps = c.prepareStatement("SELECT vote_id, request_id, voter, vote, channel, reason, at "
                    + "FROM lineage.approval_votes WHERE request_id = ? ORDER BY at, vote_id")) {
                ps.setObject(1, requestId);
                List<ApprovalVote> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ApprovalVote(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                                ApprovalVote.Choice.valueOf(rs.getString(4).toUpperCase(Locale.ROOT)), rs.getString(5),
                                rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant()));
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
