package dev.airlock.approvals;

import dev.airlock.approvals.internal.RequestCodec;
import dev.airlock.audit.ApprovalVote;
import dev.airlock.audit.LineageIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ApprovalStore} on the PostgreSQL lineage store: requests, votes, refusals and compare-and-set
 * state changes go through audit-store's {@code ApprovalStore} (journal, hash chain, {@code NOTIFY
 * airlock_approvals}); what the approval service keeps beyond that lives in the {@code V20__approvals}
 * tables, written in the same transactions. A vote is one transaction; reading a request is one query.
 * Wake-ups arrive by {@code LISTEN} on a dedicated connection and thread.
 */
public final class JdbcApprovalStore implements ApprovalStore {

    private static final Logger log = LoggerFactory.getLogger(JdbcApprovalStore.class);

    private final DataSource ds;
    private final dev.airlock.audit.ApprovalStore lineage;
    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param ds    the lineage store's pool (migrated); one connection is held while subscribed
     * @param chain the journal chain this replica appends to
     */
    public JdbcApprovalStore(DataSource ds, String chain) {
        this.ds = Objects.requireNonNull(ds, "ds");
        this.lineage = new dev.airlock.audit.ApprovalStore(ds, Objects.requireNonNull(chain, "chain"));
    }

    private static final String SELECT_STORED = "SELECT r.request_id, r.state, r.decided_by, r.decided_reason, "
            + "r.state_changed_at, d.detail::text FROM lineage.approval_requests r "
            + "JOIN lineage.approval_details d ON d.request_id = r.request_id";

    @Override
    public void create(ApprovalRequest r) {
        UUID id = UUID.fromString(r.id());
        List<String> approvers = new ArrayList<>();
        r.profile().approvers().groups().stream().sorted().forEach(g -> approvers.add("group:" + g));
        r.profile().approvers().users().stream().sorted().forEach(u -> approvers.add("user:" + u));
        String detail = RequestCodec.write(r);
        // the request and what the service needs to understand it commit together, or neither does
        lineage.create(new dev.airlock.audit.NewApproval(id, r.actionId(), r.actionDigest(), r.sessionId(), r.requester(),
                r.connection(), r.policyVersion(), r.profile().name(), approvers, r.profile().channels(),
                r.actionText().length() <= 2000 ? r.actionText() : r.actionText().substring(0, 2000) + "…", r.expiresAt()),
                c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.approval_details "
                            + "(request_id, owner, requester_key, detail) VALUES (?, ?, ?, ?::jsonb)")) {
                        ps.setObject(1, id);
                        ps.setString(2, r.owner());
                        ps.setString(3, r.requesterKey());
                        ps.setString(4, detail);
                        ps.executeUpdate();
                    }
                });
    }

    @Override
    public Optional<StoredApproval> find(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return Optional.empty();
        }
        List<StoredApproval> l = query(SELECT_STORED + " WHERE r.request_id = ?", (c, ps) -> ps.setObject(1, id), this::readStored);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    @Override
    public List<StoredApproval> pending() {
        return query(SELECT_STORED + " WHERE r.state = 'pending' ORDER BY r.at", (c, ps) -> { }, this::readStored);
    }

    private List<StoredApproval> readStored(ResultSet rs) throws SQLException {
        List<StoredApproval> out = new ArrayList<>();
        while (rs.next()) {
            ApprovalRequest r = RequestCodec.read(rs.getObject(1, UUID.class).toString(), rs.getString(6));
            OffsetDateTime at = rs.getObject(5, OffsetDateTime.class);
            out.add(new StoredApproval(r, ApprovalState.fromWire(rs.getString(2)), rs.getString(3), rs.getString(4),
                    at == null ? null : at.toInstant()));
        }
        return out;
    }

    @Override
    public Cast castVote(VoteRecord v, int quorum) {
        UUID id = parse(v.requestId());
        if (id == null) {
            throw new IllegalArgumentException("requestId: '" + v.requestId() + "' (expected: a UUID)");
        }
        dev.airlock.audit.VoteCast c = lineage.castVote(LineageIds.next(), id, v.voterSubject(), v.voterEmail(),
                v.vote() == Vote.APPROVE ? ApprovalVote.Choice.APPROVE : ApprovalVote.Choice.DENY, v.channel(), v.reason(),
                quorum, v.at(), null);
        List<VoteRecord> votes = new ArrayList<>(c.votes().size());
        for (ApprovalVote x : c.votes()) {
            votes.add(new VoteRecord(v.requestId(), x.voter(), x.voterEmail(), x.channel(),
                    x.choice() == ApprovalVote.Choice.APPROVE ? Vote.APPROVE : Vote.DENY, x.reason(), null, x.at()));
        }
        return new Cast(Cast.Status.valueOf(c.status().name()), ApprovalState.valueOf(c.state().name()), c.decidedBy(),
                c.reason(), c.decidedAt(), votes);
    }

    @Override
    public List<VoteRecord> votes(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return List.of();
        }
        // voter emails sit on the vote since V21; older votes kept them in approval_voters
        return query("SELECT v.voter, coalesce(v.voter_email, e.email), v.channel, v.vote, v.reason, v.at "
                + "FROM lineage.approval_votes v LEFT JOIN lineage.approval_voters e ON e.vote_id = v.vote_id "
                + "WHERE v.request_id = ? ORDER BY v.at, v.vote_id",
                (c, ps) -> ps.setObject(1, id), rs -> {
                    List<VoteRecord> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new VoteRecord(requestId, rs.getString(1), rs.getString(2), rs.getString(3),
                                Vote.fromWire(rs.getString(4)), rs.getString(5), null,
                                rs.getObject(6, OffsetDateTime.class).toInstant()));
                    }
                    return out;
                });
    }

    @Override
    public void recordRefusal(VoteRecord r) {
        UUID id = parse(r.requestId());
        if (id == null) {
            return;
        }
        lineage.recordRefusal(id, r.voterSubject(), r.voterEmail(), r.channel(), r.vote().wireName(),
                r.rejection() == null ? "unknown" : r.rejection().name().toLowerCase(Locale.ROOT), r.at());
    }

    @Override
    public void recordRejectedDelivery(RejectedDelivery r) {
        lineage.recordRejectedInteraction(new dev.airlock.audit.ApprovalStore.RejectedInteraction(r.channel(), r.reason(),
                r.requestId(), r.claimedUser(), r.remote(), r.bodyDigest(), r.at()));
    }

    /** Refused votes of a request as recorded, oldest first: {@code voter, rejection}. For auditors and tests. */
    public List<String> refusals(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return List.of();
        }
        return query("SELECT voter, rejection FROM lineage.approval_refusals WHERE request_id = ? ORDER BY refusal_id",
                (c, ps) -> ps.setObject(1, id), rs -> {
                    List<String> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(rs.getString(1) + " " + rs.getString(2));
                    }
                    return out;
                });
    }

    @Override
    public boolean compareAndSet(String requestId, ApprovalState to, String decidedBy, String channel, String reason, Instant at) {
        UUID id = parse(requestId);
        if (id == null || !to.isFinal()) {
            return false;
        }
        return lineage.compareAndSet(id, dev.airlock.audit.ApprovalState.valueOf(to.name()), decidedBy, channel, reason);
    }

    @Override
    public Optional<StoredApproval> findGrant(String actionDigest, String requesterKey, String connection,
                                              String policyVersion, Instant since) {
        Optional<UUID> id = query("SELECT r.request_id FROM lineage.approval_requests r "
                + "JOIN lineage.approval_details d ON d.request_id = r.request_id "
                + "WHERE r.state = 'approved' AND r.action_digest = ? AND d.requester_key = ? AND r.connection = ? "
                + "AND r.policy_version = ? AND r.state_changed_at >= ? ORDER BY r.state_changed_at DESC LIMIT 1", (c, ps) -> {
                    ps.setString(1, actionDigest);
                    ps.setString(2, requesterKey);
                    ps.setString(3, connection);
                    ps.setString(4, policyVersion);
                    ps.setTimestamp(5, Timestamp.from(since));
                }, rs -> rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.<UUID>empty());
        return id.flatMap(u -> find(u.toString()));
    }

    @Override
    public ApprovalState addDelivery(String requestId, String channel, String ref) {
        UUID id = UUID.fromString(requestId);
        return query("INSERT INTO lineage.approval_deliveries (request_id, channel, ref) VALUES (?, ?, ?) "
                + "RETURNING (SELECT state FROM lineage.approval_requests WHERE request_id = ?)", (c, ps) -> {
                    ps.setObject(1, id);
                    ps.setString(2, channel);
                    ps.setString(3, ref);
                    ps.setObject(4, id);
                }, rs -> {
                    rs.next();
                    return ApprovalState.fromWire(rs.getString(1));
                });
    }

    @Override
    public List<Delivery> deliveries(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return List.of();
        }
        return query("SELECT channel, ref FROM lineage.approval_deliveries WHERE request_id = ? ORDER BY delivery_id",
                (c, ps) -> ps.setObject(1, id), rs -> {
                    List<Delivery> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new Delivery(rs.getString(1), rs.getString(2)));
                    }
                    return out;
                });
    }

    /**
     * Listens on {@code airlock_approvals} with a dedicated connection and thread; reconnects after
     * failures. Returns once {@code LISTEN} is active (or after 5 s when the database is unreachable;
     * polling covers the gap).
     */
    @Override
    public AutoCloseable subscribe(Consumer<String> listener) {
        Listener l = new Listener(listener);
        listeners.add(l);
        l.thread.start();
        try {
            if (!l.listening.await(5, TimeUnit.SECONDS)) {
                log.warn("LISTEN {} not active after 5 s; relying on polling until it is", dev.airlock.audit.ApprovalStore.CHANNEL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return () -> {
            listeners.remove(l);
            l.stop();
        };
    }

    private final class Listener implements Runnable {
        final Consumer<String> consumer;
        final Thread thread;
        final CountDownLatch listening = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);

        Listener(Consumer<String> consumer) {
            this.consumer = consumer;
            this.thread = new Thread(this, "airlock-approvals-listen");
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            long backoff = 250;
            while (stopped.getCount() > 0) {
                try (Connection c = ds.getConnection()) {
                    c.setAutoCommit(true);
                    try (Statement s = c.createStatement()) {
                        s.execute("LISTEN " + dev.airlock.audit.ApprovalStore.CHANNEL);
                    }
                    PGConnection pg = c.unwrap(PGConnection.class);
                    listening.countDown();
                    backoff = 250;
                    while (stopped.getCount() > 0) {
                        PGNotification[] ns = pg.getNotifications(250);
                        if (ns == null) {
                            continue;
                        }
                        for (PGNotification n : ns) {
                            try {
                                consumer.accept(n.getParameter());
                            } catch (RuntimeException e) {
                                log.warn("approval wake-up for {} failed", n.getParameter(), e);
                            }
                        }
                    }
                } catch (SQLException e) {
                    if (stopped.getCount() == 0) {
                        return;
                    }
                    log.warn("LISTEN {} lost ({}); reconnecting in {} ms", dev.airlock.audit.ApprovalStore.CHANNEL,
                            e.getMessage(), backoff);
                    try {
                        if (stopped.await(backoff, TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    } catch (InterruptedException ie) {
                        return;
                    }
                    backoff = Math.min(10_000, backoff * 2);
                }
            }
        }

        void stop() throws InterruptedException {
            stopped.countDown();
            thread.join(5_000);
        }
    }

    @Override
    public void close() {
        for (Listener l : listeners) {
            try {
                l.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listeners.clear();
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private interface Binder {
        void bind(Connection c, PreparedStatement ps) throws SQLException;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, Binder binder, Reader<T> reader) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(c, ps);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("approval store: " + e.getMessage(), e);
        }
    }
}
