package dev.airlock.audit;

import dev.airlock.audit.internal.Hashing;
import dev.airlock.audit.internal.Records;
import dev.airlock.audit.internal.Sink;
import dev.airlock.audit.internal.Table;
import dev.airlock.audit.internal.Type;
import dev.airlock.policy.Digests;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Walks every chain in sequence order across all lineage tables and recomputes each link from the rows
 * as stored. Reports the first broken one: a gap in the sequence (deleted rows), two rows with one
 * sequence number (an inserted row), a previous-hash that does not match the previous row (deleted,
 * reordered or inserted rows), a hash that does not match the row's content (an edited row, an edited,
 * added or removed link of an action, or an edited data object), a chain that ends before its recorded
 * head (deleted tail), or a row that belongs to no chain.
 *
 * <p>Records written before 0.2 live in the JSON journal {@code lineage.record}; they are verified with
 * that journal's canonical form and form the start of their chains. That includes refused votes and refused
 * approval deliveries recorded between V21 and V22, whose rows point at their journal record.
 */
public final class ChainVerifier {

    private ChainVerifier() {}

    /** What is wrong with a link. */
    public enum Problem {
        SEQUENCE_GAP, DUPLICATE_SEQUENCE, PREVIOUS_HASH_MISMATCH, CONTENT_HASH_MISMATCH, TAIL_MISSING, UNCHAINED_ROW
    }

    /** The first broken link: the record where the chain stops being provable. */
    public record Break(String chain, long seq, UUID recordId, Problem problem, String detail) {}

    /** The outcome of a verification. */
    public record Report(long records, int chains, Optional<Break> firstBreak) {
        public boolean ok() {
            return firstBreak.isEmpty();
        }
    }

    private static final int FETCH = 2_000;

    public static Report verify(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            try {
                return verify(c);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new LineageException("verify: " + e.getMessage(), e);
        }
    }

    private static Report verify(Connection c) throws SQLException {
        Map<String, Long> headSeq = new HashMap<>();
        Map<String, byte[]> headHash = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT chain, seq, hash FROM lineage.chain_head")) {
            while (rs.next()) {
                headSeq.put(rs.getString(1), rs.getLong(2));
                headHash.put(rs.getString(1), rs.getBytes(3));
            }
        }
        Optional<Break> unchained = unchainedRow(c);
        if (unchained.isPresent()) {
            return new Report(0, 0, unchained);
        }
        List<Source> sources = new ArrayList<>();
        try {
            PriorityQueue<Source> queue = new PriorityQueue<>(ChainVerifier::order);
            sources.add(new LegacySource(c));
            for (Table t : Table.values()) {
                sources.add(new TableSource(c, t));
            }
            for (Source s : sources) {
                if (s.advance()) {
                    queue.add(s);
                }
            }
            MessageDigest md = Digests.sha256();
            Sink canon = new Sink(4096);
            Set<String> seen = new HashSet<>();
            long n = 0;
            String chain = null;
            long expect = 0;
            byte[] prev = null;
            UUID lastId = null;
            while (!queue.isEmpty()) {
                Source s = queue.poll();
                if (!s.chain.equals(chain)) {
                    if (chain != null) {
                        Optional<Break> tail = tail(chain, expect - 1, lastId, prev, headSeq, headHash);
                        if (tail.isPresent()) {
                            return new Report(n, seen.size(), tail);
                        }
                    }
                    chain = s.chain;
                    seen.add(chain);
                    expect = 1;
                    prev = Hashing.GENESIS;
                }
                n++;
                if (s.seq < expect) {
                    return new Report(n, seen.size(), Optional.of(new Break(chain, s.seq, s.recordId, Problem.DUPLICATE_SEQUENCE,
                            "a second record with seq " + s.seq + " (in " + s.where() + "): a record was inserted")));
                }
                if (s.seq > expect) {
                    return new Report(n, seen.size(), Optional.of(new Break(chain, s.seq, s.recordId, Problem.SEQUENCE_GAP,
                            "expected seq " + expect + " but found " + s.seq + " (in " + s.where()
                                    + "): records missing or renumbered")));
                }
                if (!Arrays.equals(s.prevHash, prev)) {
                    return new Report(n, seen.size(), Optional.of(new Break(chain, s.seq, s.recordId,
                            Problem.PREVIOUS_HASH_MISMATCH, "prev_hash (in " + s.where() + ") does not match the hash of the "
                                    + "record before it: a record was deleted, moved or inserted, or the one before was rewritten")));
                }
                canon.reset();
                s.canonical(canon);
                byte[] hash = Hashing.link(md, prev, canon.array(), canon.length());
                if (!Arrays.equals(hash, s.hash)) {
                    return new Report(n, seen.size(), Optional.of(new Break(chain, s.seq, s.recordId,
                            Problem.CONTENT_HASH_MISMATCH, "the content of the " + s.kind + " record (in " + s.where()
                                    + ") does not match its hash: it was edited")));
                }
                prev = hash;
                lastId = s.recordId;
                expect++;
                if (s.advance()) {
                    queue.add(s);
                }
            }
            if (chain != null) {
                Optional<Break> tail = tail(chain, expect - 1, lastId, prev, headSeq, headHash);
                if (tail.isPresent()) {
                    return new Report(n, seen.size(), tail);
                }
            }
            for (Map.Entry<String, Long> h : headSeq.entrySet()) {
                if (h.getValue() > 0 && !seen.contains(h.getKey())) {
                    return new Report(n, seen.size(), Optional.of(new Break(h.getKey(), 1, null, Problem.TAIL_MISSING,
                            "chain head says " + h.getValue() + " records but none are stored")));
                }
            }
            return new Report(n, seen.size(), Optional.empty());
        } finally {
            for (Source s : sources) {
                s.close();
            }
        }
    }

    /** Chain names in code point order (UTF-8 byte order, as {@code COLLATE "C"} sorts them), then seq. */
    private static int order(Source a, Source b) {
        int c = compareCodePoints(a.chain, b.chain);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static Optional<Break> tail(String chain, long lastSeq, UUID lastId, byte[] lastHash, Map<String, Long> headSeq,
                                        Map<String, byte[]> headHash) {
        Long head = headSeq.get(chain);
        if (head == null) {
            return Optional.of(new Break(chain, lastSeq, lastId, Problem.TAIL_MISSING,
                    "the chain has no row in lineage.chain_head, so its tip cannot be proven"));
        }
        if (head != lastSeq || !Arrays.equals(headHash.get(chain), lastHash)) {
            return Optional.of(new Break(chain, lastSeq, lastId, Problem.TAIL_MISSING,
                    "the chain ends at seq " + lastSeq + " but its head records seq " + head + ": records after it were deleted"));
        }
        return Optional.empty();
    }

    /**
     * A row outside every chain: not sealed by a writer, and not a projection of the pre-0.2 journal. Refused votes
     * recorded before V21 had no record at all (a null {@code record_id}, which V22 forbids for every later row).
     */
    private static Optional<Break> unchainedRow(Connection c) throws SQLException {
        for (Table t : Table.values()) {
            String legacy = t == Table.APPROVAL_REFUSALS ? "AND t.record_id IS NOT NULL " : "";
            try (PreparedStatement ps = c.prepareStatement("SELECT t.record_id FROM " + t.tableName() + " t WHERE t.seq IS NULL "
                    + legacy + "AND NOT EXISTS (SELECT 1 FROM lineage.record r WHERE r.record_id = t.record_id) LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return Optional.of(new Break(null, 0, rs.getObject(1, UUID.class), Problem.UNCHAINED_ROW,
                            t.tableName() + " holds a row that belongs to no chain: it was inserted behind Airlock's back"));
                }
            }
        }
        return Optional.empty();
    }

    /** One stream of records ordered by chain and seq; its fields describe the current record. */
    private abstract static class Source implements AutoCloseable {
        final PreparedStatement ps;
        final ResultSet rs;
        String chain;
        long seq;
        UUID recordId;
        String kind;
        byte[] prevHash;
        byte[] hash;

        Source(Connection c, String sql) throws SQLException {
            ps = c.prepareStatement(sql);
            ps.setFetchSize(FETCH);
            rs = ps.executeQuery();
        }

        abstract boolean advance() throws SQLException;

        abstract void canonical(Sink s);

        abstract String where();

        @Override
        public void close() throws SQLException {
            rs.close();
            ps.close();
        }
    }

    private static final class TableSource extends Source {
        private final Table table;
        private Records.Stored row;

        TableSource(Connection c, Table t) throws SQLException {
            super(c, "SELECT " + Records.selectList(t, "t") + " FROM " + t.tableName() + " t WHERE t.seq IS NOT NULL "
                    + "ORDER BY t.chain, t.seq");
            this.table = t;
            this.kind = t.kind();
        }

        @Override
        boolean advance() throws SQLException {
            if (!rs.next()) {
                return false;
            }
            row = Records.read(table, rs);
            chain = row.chain();
            seq = row.seq();
            recordId = row.envelope().recordId();
            prevHash = row.prevHash();
            hash = row.hash();
            return true;
        }

        @Override
        void canonical(Sink s) {
            Records.canonical(s, row.envelope(), chain, seq);
        }

        @Override
        String where() {
            return table.tableName();
        }
    }

    /** {@code lineage.record}: the JSON journal of Airlock before 0.2. */
    private static final class LegacySource extends Source {
        private long atMicros;
        private String body;

        LegacySource(Connection c) throws SQLException {
            super(c, "SELECT chain, seq, record_id, kind, at, body, prev_hash, hash FROM lineage.record "
                    + "ORDER BY chain COLLATE \"C\", seq, at");
        }

        @Override
        boolean advance() throws SQLException {
            if (!rs.next()) {
                return false;
            }
            chain = rs.getString(1);
            seq = rs.getLong(2);
            recordId = rs.getObject(3, UUID.class);
            kind = rs.getString(4);
            atMicros = Type.micros(rs.getObject(5, OffsetDateTime.class).toInstant());
            body = rs.getString(6);
            prevHash = rs.getBytes(7);
            hash = rs.getBytes(8);
            return true;
        }

        @Override
        void canonical(Sink s) {
            s.put(Hashing.legacyCanonical(chain, seq, recordId, kind, atMicros, body));
        }

        @Override
        String where() {
            return "lineage.record";
        }
    }
}
