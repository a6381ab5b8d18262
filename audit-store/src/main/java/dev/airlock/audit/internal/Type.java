package dev.airlock.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * The column types of the lineage tables and, for each, its Java value, its canonical JSON form, its
 * PostgreSQL binary COPY form, and how to read it back (JDBC for the verifier, JSON for the spool).
 *
 * <p>Java values: {@link UUID}, {@link String}, {@link Long}, {@link Integer}, {@link Boolean}, {@code Long} epoch
 * microseconds for timestamps, {@code List<String>} for {@code text[]}, {@link JsonNode} for {@code jsonb},
 * {@code byte[]} for {@code bytea}; {@code null} is SQL NULL.
 */
public enum Type {
    UUID_T {
        @Override
        void canonical(Sink s, Object v) {
            Canonical.uuid(s, (UUID) v);
        }

        @Override
        void binary(Sink s, Object v) {
            UUID u = (UUID) v;
            s.putInt(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            return rs.getObject(i, UUID.class);
        }

        @Override
        Object fromJson(JsonNode n) {
            return UUID.fromString(n.asText());
        }
    },
    TEXT {
        @Override
        void canonical(Sink s, Object v) {
            Canonical.string(s, (String) v);
        }

        @Override
        void binary(Sink s, Object v) {
            int at = s.length();
            s.putInt(0).utf8((String) v);
            s.setInt(at, s.length() - at - 4);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            return rs.getString(i);
        }

        @Override
        Object fromJson(JsonNode n) {
            return n.asText();
        }
    },
    INT8 {
        @Override
        void canonical(Sink s, Object v) {
            s.decimal((Long) v);
        }

        @Override
        void binary(Sink s, Object v) {
            s.putInt(8).putLong((Long) v);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            long l = rs.getLong(i);
            return rs.wasNull() ? null : l;
        }

        @Override
        Object fromJson(JsonNode n) {
            return n.asLong();
        }
    },
    /** {@code integer}; the Java value is an {@link Integer}. */
    INT4 {
        @Override
        void canonical(Sink s, Object v) {
            s.decimal((Integer) v);
        }

        @Override
        void binary(Sink s, Object v) {
            s.putInt(4).putInt((Integer) v);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            int n = rs.getInt(i);
            return rs.wasNull() ? null : n;
        }

        @Override
        Object fromJson(JsonNode n) {
            return n.asInt();
        }
    },
    BOOL {
        @Override
        void canonical(Sink s, Object v) {
            Canonical.bool(s, (Boolean) v);
        }

        @Override
        void binary(Sink s, Object v) {
            s.putInt(1).put((Boolean) v ? 1 : 0);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            boolean b = rs.getBoolean(i);
            return rs.wasNull() ? null : b;
        }

        @Override
        Object fromJson(JsonNode n) {
            return n.asBoolean();
        }
    },
    /** {@code timestamptz}; the Java value is epoch microseconds. */
    TIMESTAMP {
        @Override
        void canonical(Sink s, Object v) {
            s.decimal((Long) v);
        }

        @Override
        void binary(Sink s, Object v) {
            s.putInt(8).putLong((Long) v - PG_EPOCH_MICROS);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
            return t == null ? null : micros(t.toInstant());
        }

        @Override
        Object fromJson(JsonNode n) {
            // records spooled before 0.2 carry ISO-8601 text, later ones epoch microseconds
            return n.isNumber() ? n.asLong() : micros(Instant.parse(n.asText()));
        }
    },
    TEXT_ARRAY {
        @Override
        void canonical(Sink s, Object v) {
            Canonical.strings(s, strings(v));
        }

        @Override
        void binary(Sink s, Object v) {
            List<String> l = strings(v);
            int at = s.length();
            s.putInt(0);
            boolean nulls = false;
            for (String e : l) {
                nulls |= e == null;
            }
            if (l.isEmpty()) {
                s.putInt(0).putInt(0).putInt(TEXT_OID);
            } else {
                s.putInt(1).putInt(nulls ? 1 : 0).putInt(TEXT_OID).putInt(l.size()).putInt(1);
                for (String e : l) {
                    if (e == null) {
                        s.putInt(-1);
                    } else {
                        TEXT.binary(s, e);
                    }
                }
            }
            s.setInt(at, s.length() - at - 4);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            Array a = rs.getArray(i);
            return a == null ? null : Collections.unmodifiableList(Arrays.asList((String[]) a.getArray()));
        }

        @Override
        Object fromJson(JsonNode n) {
            List<String> out = new ArrayList<>(n.size());
            n.forEach(e -> out.add(e.isNull() ? null : e.asText()));
            return Collections.unmodifiableList(out);
        }
    },
    JSONB {
        @Override
        void canonical(Sink s, Object v) {
            Canonical.json(s, (JsonNode) v);
        }

        @Override
        void binary(Sink s, Object v) {
            int at = s.length();
            s.putInt(0).put(1); // jsonb binary format version 1, then the text
            Canonical.json(s, (JsonNode) v);
            s.setInt(at, s.length() - at - 4);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            String t = rs.getString(i);
            return t == null ? null : EventCodec.readTree(t);
        }

        @Override
        Object fromJson(JsonNode n) {
            return n;
        }
    },
    BYTEA {
        @Override
        void canonical(Sink s, Object v) {
            throw new UnsupportedOperationException("bytea is not part of canonical content");
        }

        @Override
        void binary(Sink s, Object v) {
            byte[] b = (byte[]) v;
            s.putInt(b.length).put(b);
        }

        @Override
        Object read(ResultSet rs, int i) throws SQLException {
            return rs.getBytes(i);
        }

        @Override
        Object fromJson(JsonNode n) {
            throw new UnsupportedOperationException("bytea is never spooled");
        }
    };

    static final int TEXT_OID = 25;
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix epoch microseconds. */
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /** The canonical JSON form of a non-null value. */
    abstract void canonical(Sink s, Object v);

    /** The binary COPY field (length word and bytes) of a non-null value. */
    abstract void binary(Sink s, Object v);

    /** The value of column {@code i}, or {@code null}. */
    abstract Object read(ResultSet rs, int i) throws SQLException;

    /** The value from its spooled JSON form (not null). */
    abstract Object fromJson(JsonNode n);

    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object v) {
        return (List<String>) v;
    }
}
