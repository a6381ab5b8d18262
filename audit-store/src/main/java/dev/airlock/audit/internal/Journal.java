package dev.airlock.audit.internal;

import dev.airlock.policy.Digests;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Appends records to their tables inside the caller's transaction: locks the chain head, seals each
 * record (seq, previous hash, hash of its canonical content), binary-COPYs the rows of each table, and
 * moves the head. The caller commits, then calls {@link #committed}.
 *
 * <p>Its caches are per journal on purpose: a data object is taken as stored only once this journal saw
 * it committed (a link to an object another transaction has not committed yet would point nowhere).
 */
public final class Journal {

    private static final byte[] COPY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0};
    private static final String LINKS_COLUMNS = " (action_id, object_id, access, at) FROM STDIN (FORMAT binary)";
    private static final int KNOWN_OBJECTS_MAX = 50_000;

    private final String chain;
    private final boolean openLineageOutbox;
    private final Set<YearMonth> partitions = ConcurrentHashMap.newKeySet();
    private final Set<UUID> knownObjects = ConcurrentHashMap.newKeySet();
    /** The month whose partitions are known to exist, as epoch microseconds [from, until). */
    private volatile long knownFrom;
    private volatile long knownUntil;

    /**
     * @param openLineageOutbox whether executed actions with data objects are queued in
     *                          {@code lineage.openlineage_outbox} for the OpenLineage exporter
     */
    public Journal(String chain, boolean openLineageOutbox) {
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("chain: '" + chain + "' (expected: non-empty)");
        }
        this.chain = chain;
        this.openLineageOutbox = openLineageOutbox;
    }

    public Journal(String chain) {
        this(chain, false);
    }

    public String chain() {
        return chain;
    }

    /**
     * What an append did.
     *
     * @param appended    records sealed and written
     * @param conflicting records left out because another record with the same key is stored (a different
     *                    record id for the same action, session, vote …): PostgreSQL cannot hold both
     */
    public record Appended(int appended, List<Envelope> conflicting, Set<UUID> newObjects) {}

    /**
     * Appends the records in order. With {@code skipExisting}, records already stored (a commit whose
     * acknowledgement was lost, a spool replayed after a crash, the same event appended twice) are left
     * out, and so are records whose key another stored record holds ({@link Appended#conflicting()}).
     */
    public Appended append(Connection c, List<Envelope> batch, boolean skipExisting) throws SQLException {
        if (batch.isEmpty()) {
            return new Appended(0, List.of(), Set.of());
        }
        ensurePartitions(c, batch);
        List<Envelope> conflicting = new ArrayList<>();
        List<Envelope> todo = skipExisting ? withoutExisting(c, batch, conflicting) : batch;
        if (todo.isEmpty()) {
            return new Appended(0, conflicting, Set.of());
        }
        Head head = lockHead(c);
        if (head == null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO lineage.chain_head (chain, seq, hash, at) VALUES (?, 0, ?, now()) ON CONFLICT DO NOTHING")) {
                ps.setString(1, chain);
                ps.setBytes(2, Hashing.GENESIS);
                ps.executeUpdate();
            }
            head = lockHead(c);
            if (head == null) {
                throw new SQLException("lineage.chain_head: no row for chain " + chain + " after creating it", "02000");
            }
        }
        long seq = head.seq();
        byte[] prev = head.hash();
        Set<UUID> newObjects = insertNewObjects(c, todo);

        // One COPY per table, straight into the month's partition where the table is partitioned: routing each
        // row through the parent costs PostgreSQL a tuple slot and its resource-owner bookkeeping per row.
        Buffers buffers = BUFFERS.get();
        Map<String, Sink> rows = new LinkedHashMap<>();
        Map<String, Table> tables = new HashMap<>();
        Map<String, Sink> links = new LinkedHashMap<>();
        Months months = new Months();
        List<Envelope> results = openLineageOutbox ? new ArrayList<>() : null;
        Sink canon = buffers.canon;
        MessageDigest md = buffers.md;
        try {
            for (Envelope e : todo) {
                seq++;
                canon.reset();
                Records.canonical(canon, e, chain, seq);
                byte[] hash = Hashing.link(md, prev, canon.array(), canon.length());
                Table t = e.table();
                String target = t.partitioned() ? t.tableName() + months.suffix(e.atMicros()) : t.tableName();
                Sink s = rows.get(target);
                if (s == null) {
                    s = buffers.take().put(COPY_HEADER);
                    rows.put(target, s);
                    tables.put(target, t);
                }
                Object[] v = e.values();
                List<Table.Column> cols = t.columns();
                s.putShort(cols.size() + 4);
                for (int i = 0; i < v.length; i++) {
                    if (v[i] == null) {
                        s.putInt(-1);
                    } else {
                        cols.get(i).type().binary(s, v[i]);
                    }
                }
                Type.TEXT.binary(s, chain);
                s.putInt(8).putLong(seq);
                Type.BYTEA.binary(s, prev);
                Type.BYTEA.binary(s, hash);
                if (!e.links().isEmpty()) {
                    String linkTarget = "lineage.action_objects" + months.suffix(e.atMicros());
                    Sink l = links.computeIfAbsent(linkTarget, k -> buffers.take().put(COPY_HEADER));
                    for (Envelope.Link link : e.links()) {
                        l.putShort(4);
                        Type.UUID_T.binary(l, e.key());
                        Type.UUID_T.binary(l, link.object().id());
                        Type.TEXT.binary(l, link.access());
                        Type.TIMESTAMP.binary(l, e.atMicros());
                    }
                }
                if (results != null && t == Table.RESULTS) {
                    results.add(e);
                }
                prev = hash;
            }
            PGConnection pg = c.unwrap(PGConnection.class);
            for (Map.Entry<String, Sink> r : rows.entrySet()) {
                copy(pg, tables.get(r.getKey()).copySql(r.getKey()), r.getValue());
            }
            for (Map.Entry<String, Sink> l : links.entrySet()) {
                copy(pg, "COPY " + l.getKey() + LINKS_COLUMNS, l.getValue());
            }
        } finally {
            rows.values().forEach(buffers::give);
            links.values().forEach(buffers::give);
        }
        if (results != null && !results.isEmpty()) {
            enqueueForOpenLineage(c, results);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE lineage.chain_head SET seq = ?, hash = ?, at = now() WHERE chain = ?")) {
            ps.setLong(1, seq);
            ps.setBytes(2, prev);
            ps.setString(3, chain);
            ps.executeUpdate();
        }
        return new Appended(todo.size(), conflicting, newObjects);
    }

    /** After the caller committed: remember what is now known to be stored. */
    public void committed(Appended a) {
        if (knownObjects.size() + a.newObjects().size() > KNOWN_OBJECTS_MAX) {
            knownObjects.clear();
        }
        knownObjects.addAll(a.newObjects());
    }

    /** Forgets what is known to exist (after a failure, or when the store was replaced). */
    public void forget() {
        partitions.clear();
        knownUntil = 0;
        knownObjects.clear();
    }

    private record Head(long seq, byte[] hash) {}

    /**
     * COPY buffers kept per thread from batch to batch: a batch's buffers are megabytes, which G1 would
     * otherwise allocate as humongous objects, straight in the old generation, for every batch.
     */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private static final class Buffers {
        final Sink canon = new Sink(4096);
        final MessageDigest md = Digests.sha256();
        private final java.util.ArrayDeque<Sink> free = new java.util.ArrayDeque<>();

        Sink take() {
            Sink s = free.poll();
            return s == null ? new Sink(64 * 1024) : s;
        }

        void give(Sink s) {
            s.reset();
            if (free.size() < 8) {
                free.push(s);
            }
        }
    }

    /** The partition name suffix ({@code _YYYY_MM}, as {@code lineage.ensure_partitions} names them) of a time. */
    private static final class Months {
        private long from;
        private long until;
        private String suffix;

        String suffix(long atMicros) {
            if (suffix == null || atMicros < from || atMicros >= until) {
                YearMonth m = YearMonth.from(Type.instant(atMicros).atOffset(ZoneOffset.UTC));
                from = Type.micros(m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
                until = Type.micros(m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
                // not String.format: it parses its pattern on every call, and showed in profiles of the writer
                int month = m.getMonthValue();
                String year = Integer.toString(m.getYear());
                suffix = "_" + "0".repeat(Math.max(0, 4 - year.length())) + year + (month < 10 ? "_0" : "_") + month;
            }
            return suffix;
        }
    }

    /** Locks the chain's head row; null when the chain has none yet. */
    private Head lockHead(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM lineage.chain_head WHERE chain = ? FOR UPDATE")) {
            ps.setString(1, chain);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Head(rs.getLong(1), rs.getBytes(2));
            }
        }
    }

    private static void copy(PGConnection pg, String sql, Sink s) throws SQLException {
        s.putShort(-1);
        CopyIn in = pg.getCopyAPI().copyIn(sql);
        try {
            in.writeToCopy(s.array(), 0, s.length());
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private Set<UUID> insertNewObjects(Connection c, List<Envelope> todo) throws SQLException {
        Map<UUID, Envelope.ObjectRow> fresh = new HashMap<>();
        for (Envelope e : todo) {
            for (Envelope.Link l : e.links()) {
                UUID id = l.object().id();
                if (!knownObjects.contains(id)) {
                    fresh.putIfAbsent(id, l.object());
                }
            }
        }
        if (fresh.isEmpty()) {
            return Set.of();
        }
        int n = fresh.size();
        UUID[] ids = new UUID[n];
        String[][] cols = new String[9][n];
        int i = 0;
        for (Envelope.ObjectRow o : fresh.values()) {
            ids[i] = o.id();
            String[] v = {o.kind(), o.connection(), o.schemaName(), o.tableName(), o.host(), o.path(), o.method(), o.route(),
                o.display()};
            for (int k = 0; k < v.length; k++) {
                cols[k][i] = v[k];
            }
            i++;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.data_objects (object_id, kind, connection, "
                + "schema_name, table_name, host, path, method, route, display) SELECT * FROM unnest(?::uuid[], ?::text[], "
                + "?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                + "ON CONFLICT (object_id) DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            for (int k = 0; k < 9; k++) {
                ps.setArray(k + 2, c.createArrayOf("text", cols[k]));
            }
            ps.executeUpdate();
        }
        return fresh.keySet();
    }

    private static void enqueueForOpenLineage(Connection c, List<Envelope> results) throws SQLException {
        UUID[] ids = new UUID[results.size()];
        Timestamp[] at = new Timestamp[results.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (UUID) results.get(i).key();
            at[i] = Timestamp.from(Type.instant(results.get(i).atMicros()));
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.openlineage_outbox (action_id, at) "
                + "SELECT r.action_id, r.at FROM unnest(?::uuid[], ?::timestamptz[]) AS r (action_id, at) "
                + "WHERE EXISTS (SELECT 1 FROM lineage.action_objects ao WHERE ao.action_id = r.action_id) "
                + "ON CONFLICT (action_id) DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("timestamptz", at));
            ps.executeUpdate();
        }
    }

    /** The stored key of a row: the key column's value and, for partitioned tables, {@code at}. */
    private record Key(Table table, Object key, long at) {}

    private static Key keyOf(Envelope e) {
        return new Key(e.table(), e.key(), e.table().partitioned() ? e.atMicros() : 0);
    }

    private List<Envelope> withoutExisting(Connection c, List<Envelope> batch, List<Envelope> conflicting) throws SQLException {
        Map<Table, List<Object>> keys = new EnumMap<>(Table.class);
        for (Envelope e : batch) {
            keys.computeIfAbsent(e.table(), t -> new ArrayList<>()).add(e.key());
        }
        Map<Key, UUID> stored = new HashMap<>();
        for (Map.Entry<Table, List<Object>> k : keys.entrySet()) {
            Table t = k.getKey();
            String key = t.key().name();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + key + ", at, record_id FROM " + t.tableName()
                    + " WHERE " + key + " = ANY (?)")) {
                Array a = c.createArrayOf("uuid", k.getValue().toArray());
                ps.setArray(1, a);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long at = t.partitioned() ? Type.micros(rs.getObject(2, OffsetDateTime.class).toInstant()) : 0;
                        stored.put(new Key(t, rs.getObject(1, UUID.class), at), rs.getObject(3, UUID.class));
                    }
                }
            }
        }
        List<Envelope> out = new ArrayList<>(batch.size());
        Set<UUID> seen = new HashSet<>();
        Map<Key, UUID> claimed = new HashMap<>();
        for (Envelope e : batch) {
            if (!seen.add(e.recordId())) {
                continue; // the same record twice in one batch
            }
            Key k = keyOf(e);
            UUID holder = stored.get(k);
            if (holder != null) {
                if (!holder.equals(e.recordId())) {
                    conflicting.add(e);
                }
                continue; // stored already, or its key is taken
            }
            UUID first = claimed.putIfAbsent(k, e.recordId());
            if (first != null && !first.equals(e.recordId())) {
                conflicting.add(e);
                continue;
            }
            out.add(e);
        }
        return out;
    }

    private void ensurePartitions(Connection c, List<Envelope> batch) throws SQLException {
        for (Envelope e : batch) {
            if (!e.table().partitioned()) {
                continue;
            }
            long at = e.atMicros();
            if (at >= knownFrom && at < knownUntil) {
                continue; // the month of the records before it
            }
            YearMonth m = YearMonth.from(Type.instant(at).atOffset(ZoneOffset.UTC));
            if (!partitions.contains(m)) {
                // A month boundary is near or an old record is replayed: create that month and the next ones ahead.
                Instant from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                try (PreparedStatement ps = c.prepareStatement("SELECT lineage.ensure_partitions(?, ?)")) {
                    ps.setTimestamp(1, Timestamp.from(from));
                    ps.setTimestamp(2, Timestamp.from(m.plusMonths(2).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
                    ps.execute();
                }
                partitions.add(m);
            }
            knownFrom = Type.micros(m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
            knownUntil = Type.micros(m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
    }
}
