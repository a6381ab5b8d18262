package dev.airlock.audit;

import dev.airlock.audit.internal.Hashing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Walks every chain of the journal in sequence order and recomputes each link. Reports the first
 * broken one: a gap in the sequence (deleted rows), a previous-hash that does not match the previous
 * row (deleted, reordered or inserted rows), a hash that does not match the content (edited row), or a
 * chain that ends before its recorded head (deleted tail).
 */
public final class ChainVerifier {

    private ChainVerifier() {}

    /** What is wrong with a link. */
    public enum Problem { SEQUENCE_GAP, PREVIOUS_HASH_MISMATCH, CONTENT_HASH_MISMATCH, TAIL_MISSING }

    /** The first broken link: the record where the chain stops being provable. */
    public record Break(String chain, long seq, UUID recordId, Problem problem, String detail) {}

    /** The outcome of a verification. */
    public record Report(long records, int chains, Optional<Break> firstBreak) {
        public boolean ok() {
            return firstBreak.isEmpty();
        }
    }

    public static Report verify(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Map<String, long[]> headSeq = new HashMap<>();
            Map<String, byte[]> headHash = new HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT chain, seq, hash FROM lineage.chain_head")) {
                while (rs.next()) {
                    headSeq.put(rs.getString(1), new long[] {rs.getLong(2)});
                    headHash.put(rs.getString(1), rs.getBytes(3));
                }
            }
            long n = 0;
            int chains = 0;
            String chain = null;
            long expectSeq = 0;
            byte[] prev = null;
            UUID lastId = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chain, seq, record_id, kind, at, body, prev_hash, hash FROM lineage.record ORDER BY chain, seq, at")) {
                ps.setFetchSize(5_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String ch = rs.getString(1);
                        long seq = rs.getLong(2);
                        UUID id = rs.getObject(3, UUID.class);
                        if (!ch.equals(chain)) {
                            if (chain != null) {
                                Optional<Break> tail = tail(chain, expectSeq - 1, lastId, headSeq, headHash, prev);
                                if (tail.isPresent()) {
                                    return new Report(n, chains, tail);
                                }
                            }
                            chain = ch;
                            chains++;
                            expectSeq = 1;
                            prev = Hashing.GENESIS;
                        }
                        n++;
                        if (seq != expectSeq) {
                            return new Report(n, chains, Optional.of(new Break(ch, seq, id, Problem.SEQUENCE_GAP,
                                    "expected seq " + expectSeq + " but found " + seq + ": records missing or renumbered")));
                        }
                        byte[] storedPrev = rs.getBytes(7);
                        if (!Arrays.equals(storedPrev, prev)) {
                            return new Report(n, chains, Optional.of(new Break(ch, seq, id, Problem.PREVIOUS_HASH_MISMATCH,
                                    "prev_hash does not match the hash of the record before it: a record was deleted, moved or inserted")));
                        }
                        Instant at = rs.getObject(5, OffsetDateTime.class).toInstant();
                        long atMicros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
                        byte[] hash = Hashing.link(prev, Hashing.canonical(ch, seq, id, rs.getString(4), atMicros, rs.getString(6)));
                        if (!Arrays.equals(hash, rs.getBytes(8))) {
                            return new Report(n, chains, Optional.of(new Break(ch, seq, id, Problem.CONTENT_HASH_MISMATCH,
                                    "the record's content does not match its hash: it was edited")));
                        }
                        prev = hash;
                        lastId = id;
                        expectSeq++;
                    }
                }
            }
            if (chain != null) {
                Optional<Break> tail = tail(chain, expectSeq - 1, lastId, headSeq, headHash, prev);
                if (tail.isPresent()) {
                    return new Report(n, chains, tail);
                }
            }
            for (String h : headSeq.keySet()) {
                if (headSeq.get(h)[0] > 0 && !h.equals(chain) && n == 0) {
                    return new Report(n, chains, Optional.of(new Break(h, 1, null, Problem.TAIL_MISSING,
                            "chain head says " + headSeq.get(h)[0] + " records but none are stored")));
                }
            }
            c.rollback();
            return new Report(n, chains, Optional.empty());
        } catch (SQLException e) {
            throw new LineageException("verify: " + e.getMessage(), e);
        }
    }

    private static Optional<Break> tail(String chain, long lastSeq, UUID lastId, Map<String, long[]> headSeq,
                                        Map<String, byte[]> headHash, byte[] lastHash) {
        long[] head = headSeq.get(chain);
        if (head == null) {
            return Optional.empty();
        }
        if (head[0] != lastSeq || !Arrays.equals(headHash.get(chain), lastHash)) {
            return Optional.of(new Break(chain, lastSeq, lastId, Problem.TAIL_MISSING,
                    "the chain ends at seq " + lastSeq + " but its head records seq " + head[0] + ": records after it were deleted"));
        }
        return Optional.empty();
    }
}
