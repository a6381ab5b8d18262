package dev.airlock.audit.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * Appends envelopes to {@code lineage.record} inside the caller's transaction: locks the chain head,
 * seals each record (seq, prev hash, hash), COPYs the batch in and moves the head. The caller commits.
 */
public final class Journal {

    private final String chain;
    private final Set<YearMonth> partitions = ConcurrentHashMap.newKeySet();

    public Journal(String chain) {
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("chain: '" + chain + "' (expected: non-empty)");
        }
        this.chain = chain;
    }

    public String chain() {
        return chain;
    }

    /**
     * Appends the envelopes in order. With {@code skipExisting}, records whose id is already stored
     * (a commit whose acknowledgement was lost, a spool replayed after a crash) are left out.
     *
     * @return how many records were appended
     */
    public int append(Connection c, List<Envelope> batch, boolean skipExisting) throws SQLException {
        if (batch.isEmpty()) {
            return 0;
        }
        ensurePartitions(c, batch);
        List<Envelope> todo = skipExisting ? withoutExisting(c, batch) : batch;
        if (todo.isEmpty()) {
            return 0;
        }
        long seq;
        byte[] prev;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO lineage.chain_head (chain, seq, hash, at) VALUES (?, 0, ?, now()) ON CONFLICT DO NOTHING")) {
            ps.setString(1, chain);
            ps.setBytes(2, Hashing.GENESIS);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM lineage.chain_head WHERE chain = ? FOR UPDATE")) {
            ps.setString(1, chain);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
                prev = rs.getBytes(2);
            }
        }
        StringBuilder copy = new StringBuilder(todo.size() * 512);
        HexFormat hex = HexFormat.of();
        for (Envelope e : todo) {
            seq++;
            byte[] hash = Hashing.link(prev, Hashing.canonical(chain, seq, e.recordId(), e.kind(), e.atMicros(), e.body()));
            copy.append(chain).append('\t').append(seq).append('\t').append(e.recordId()).append('\t')
                    .append(e.kind()).append('\t').append(e.at()).append('\t');
            escape(copy, e.body());
            copy.append("\t\\\\x").append(hex.formatHex(prev)).append("\t\\\\x").append(hex.formatHex(hash)).append('\n');
            prev = hash;
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY lineage.record (chain, seq, record_id, kind, at, body, prev_hash, hash) FROM STDIN",
                    new ByteArrayInputStream(copy.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new SQLException("COPY lineage.record: " + e.getMessage(), "08006", e);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE lineage.chain_head SET seq = ?, hash = ?, at = now() WHERE chain = ?")) {
            ps.setLong(1, seq);
            ps.setBytes(2, prev);
            ps.setString(3, chain);
            ps.executeUpdate();
        }
        return todo.size();
    }

    private List<Envelope> withoutExisting(Connection c, List<Envelope> batch) throws SQLException {
        UUID[] ids = batch.stream().map(Envelope::recordId).toArray(UUID[]::new);
        Set<UUID> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT record_id FROM lineage.record WHERE record_id = ANY (?)")) {
            Array a = c.createArrayOf("uuid", ids);
            ps.setArray(1, a);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getObject(1, UUID.class));
                }
            }
        }
        if (present.isEmpty()) {
            return batch;
        }
        List<Envelope> out = new ArrayList<>(batch.size());
        Set<UUID> seen = new HashSet<>();
        for (Envelope e : batch) {
            if (!present.contains(e.recordId()) && seen.add(e.recordId())) {
                out.add(e);
            }
        }
        return out;
    }

    private void ensurePartitions(Connection c, List<Envelope> batch) throws SQLException {
        for (Envelope e : batch) {
            YearMonth m = YearMonth.from(e.at().atOffset(ZoneOffset.UTC));
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
        }
    }

    /** Forgets which partitions are known to exist (after the store was replaced). */
    public void forgetPartitions() {
        partitions.clear();
    }

    private static void escape(StringBuilder out, String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
    }
}
