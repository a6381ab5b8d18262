package dev.airlock.approvals;

import dev.airlock.approvals.internal.RequestCodec;
import dev.airlock.audit.ApprovalVote;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The {@link ApprovalStore} on the PostgreSQL lineage store: requests, votes and compare-and-set state
 * changes go through audit-store's {@code ApprovalStore} (journal, hash chain, {@code NOTIFY
 * airlock_approvals}); what the approval service keeps beyond that lives in the {@code V20__approvals}
 * tables. Wake-ups arrive by {@code LISTEN} on a dedicated connection and thread.
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

    @Override
    public void create(ApprovalRequest r) {
        UUID id = UUID.fromString(r.id());
        List<String> approvers = new ArrayList<>();
        r.profile().approvers().groups().stream().sorted().forEach(g -> approvers.add("group:" + g));
        r.profile().approvers().users().stream().sorted().forEach(u -> approvers.add("user:" + u));
        lineage.create(new dev.airlock.audit.NewApproval(id, r.actionId(), r.actionDigest(), r.sessionId(), r.requester(),
                r.connection(), r.policyVersion(), r.profile().name(), approvers, r.profile().channels(),
                r.actionText().length() <= 2000 ? r.actionText() : r.actionText().substring(0, 2000) + "…", r.expiresAt()));
        try {
            update("INSERT INTO lineage.approval_details (request_id, owner, requester_key, detail) VALUES (?, ?, ?, ?::jsonb)",
                    ps -> {
                        ps.setObject(1, id);
                        ps.setString(2, r.owner());
                        ps.setString(3, r.requesterKey());
                        ps.setString(4, RequestCodec.write(r));
                    });
        } catch (RuntimeException e) {
            // never leave a request that can be voted on but not understood
            lineage.compareAndSet(id, dev.airlock.audit.ApprovalState.CANCELLED, null, null, "could not be stored");
            throw e;
        }
    }

    @Override
    public Optional<StoredApproval> find(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return Optional.empty();
        }
        Optional<dev.airlock.audit.ApprovalRequest> row = lineage.find(id);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Map<UUID, String> details = details(List.of(id));
        return Optional.ofNullable(details.get(id)).map(d -> stored(row.get(), d));
    }

    @Override
    public List<StoredApproval> pending() {
        List<dev.airlock.audit.ApprovalRequest> rows = lineage.pending();
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<UUID, String> details = details(rows.stream().map(dev.airlock.audit.ApprovalRequest::requestId).toList());
        List<StoredApproval> out = new ArrayList<>(rows.size());
        for (dev.airlock.audit.ApprovalRequest row : rows) {
            String d = details.get(row.requestId());
            if (d == null) {
                log.warn("approval {} has no approval_details row; not an approvals-module request", row.requestId());
                continue;
            }
            out.add(stored(row, d));
        }
        return out;
    }

    private StoredApproval stored(dev.airlock.audit.ApprovalRequest row, String detail) {
        ApprovalRequest r = RequestCodec.read(row.requestId().toString(), detail);
        return new StoredApproval(r, ApprovalState.valueOf(row.state().name()), row.decidedBy(), row.decidedReason(),
                row.stateChangedAt());
    }

    private Map<UUID, String> details(List<UUID> ids) {
        return query("SELECT request_id, detail::text FROM lineage.approval_details WHERE request_id = ANY (?)", (c, ps) -> {
            Array a = c.createArrayOf("uuid", ids.toArray());
            ps.setArray(1, a);
        }, rs -> {
            Map<UUID, String> m = new HashMap<>();
            while (rs.next()) {
                m.put(rs.getObject(1, UUID.class), rs.getString(2));
            }
            return m;
        });
    }

    @Override
    public boolean addVote(VoteRecord v) {
        UUID id = parse(v.requestId());
        if (id == null) {
            return false;
        }
        if (votes(v.requestId()).stream().anyMatch(x -> x.voterSubject().equals(v.voterSubject()))) {
            return false;
        }
        Optional<ApprovalVote> recorded;
        try {
            recorded = lineage.recordVote(id, v.voterSubject(),
                    v.vote() == Vote.APPROVE ? ApprovalVote.Choice.APPROVE : ApprovalVote.Choice.DENY, v.channel(), v.reason());
        } catch (IllegalArgumentException e) {
            return false; // no such request
        }
        if (recorded.isEmpty()) {
            return false;
        }
        if (v.voterEmail() != null) {
            update("INSERT INTO lineage.approval_voters (vote_id, email) VALUES (?, ?)", ps -> {
                ps.setObject(1, recorded.get().voteId());
                ps.setString(2, v.voterEmail());
            });
        }
        return true;
    }

    @Override
    public List<VoteRecord> votes(String requestId) {
        UUID id = parse(requestId);
        if (id == null) {
            return List.of();
        }
        return query("SELECT v.voter, e.email, v.channel, v.vote, v.reason, v.at FROM lineage.approval_votes v "
                + "LEFT JOIN lineage.approval_voters e ON e.vote_id = v.vote_id WHERE v.request_id = ? ORDER BY v.at, v.vote_id",
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
        update("INSERT INTO lineage.approval_refusals (request_id, at, voter, email, channel, vote, rejection) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setObject(1, id);
                    ps.setTimestamp(2, Timestamp.from(r.at()));
                    ps.setString(3, r.voterSubject());
                    ps.setString(4, r.voterEmail());
                    ps.setString(5, r.channel());
                    ps.setString(6, r.vote().wireName());
                    ps.setString(7, r.rejection() == null ? "unknown" : r.rejection().name().toLowerCase(Locale.ROOT));
                });
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
    public void addDelivery(String requestId, String channel, String ref) {
        update("INSERT INTO lineage.approval_deliveries (request_id, channel, ref) VALUES (?, ?, ?)", ps -> {
            ps.setObject(1, UUID.fromString(requestId));
            ps.setString(2, channel);
            ps.setString(3, ref);
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

    private interface Setter {
        void set(PreparedStatement ps) throws SQLException;
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

    private void update(String sql, Setter setter) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            setter.set(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("approval store: " + e.getMessage(), e);
        }
    }
}
