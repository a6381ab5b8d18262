package dev.airlock.audit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The canonical content of a record (what its hash covers), its spool form, and how the verifier rebuilds
 * a record from a stored row.
 *
 * <p>Canonical content: the JSON array {@code ["<kind>", {<members>}]} in {@link Canonical} form, whose
 * members are every stored column of the row (timestamps as epoch microseconds) plus {@code chain} and
 * {@code seq}, but not {@code prev_hash} and {@code record_hash}; an action also has {@code objects}: its
 * links as {@code {access, connection, display, host, kind, method, object_id, path, route, schema_name,
 * table_name}}, sorted by object id and access. The spool form is the same without {@code chain} and
 * {@code seq}.
 */
public final class Records {

    private static final String[] OBJECT_MEMBERS = {"access", "connection", "display", "host", "kind", "method",
        "object_id", "path", "route", "schema_name", "table_name"};

    private Records() {}

    /** Writes the canonical content of {@code e} sealed as {@code chain}/{@code seq}. */
    public static void canonical(Sink s, Envelope e, String chain, long seq) {
        write(s, e, chain, seq, true);
    }

    /** Writes the spool form of {@code e} (canonical content without chain and seq). */
    public static void spoolForm(Sink s, Envelope e) {
        write(s, e, null, 0, false);
    }

    private static void write(Sink s, Envelope e, String chain, long seq, boolean sealed) {
        Table t = e.table();
        s.put(t.canonicalPrefix());
        int[] order = t.canonicalOrder();
        byte[][] keys = t.canonicalKeys();
        boolean first = true;
        for (int i = 0; i < order.length; i++) {
            int o = order[i];
            if (!sealed && (o == Table.CHAIN || o == Table.SEQ)) {
                continue;
            }
            if (!first) {
                s.put(',');
            }
            first = false;
            s.put(keys[i]);
            switch (o) {
                case Table.CHAIN -> Canonical.string(s, chain);
                case Table.SEQ -> s.decimal(seq);
                case Table.OBJECTS -> objects(s, e.links());
                default -> {
                    Object v = e.values()[o];
                    if (v == null) {
                        Canonical.nul(s);
                    } else {
                        t.columns().get(o).type().canonical(s, v);
                    }
                }
            }
        }
        s.ascii("}]");
    }

    private static void objects(Sink s, List<Envelope.Link> links) {
        s.put('[');
        for (int i = 0; i < links.size(); i++) {
            Envelope.Link l = links.get(i);
            Envelope.ObjectRow o = l.object();
            if (i > 0) {
                s.put(',');
            }
            s.ascii("{\"access\":");
            Canonical.string(s, l.access());
            s.ascii(",\"connection\":");
            Canonical.string(s, o.connection());
            s.ascii(",\"display\":");
            Canonical.string(s, o.display());
            s.ascii(",\"host\":");
            Canonical.string(s, o.host());
            s.ascii(",\"kind\":");
            Canonical.string(s, o.kind());
            s.ascii(",\"method\":");
            Canonical.string(s, o.method());
            s.ascii(",\"object_id\":");
            Canonical.uuid(s, o.id());
            s.ascii(",\"path\":");
            Canonical.string(s, o.path());
            s.ascii(",\"route\":");
            Canonical.string(s, o.route());
            s.ascii(",\"schema_name\":");
            Canonical.string(s, o.schemaName());
            s.ascii(",\"table_name\":");
            Canonical.string(s, o.tableName());
            s.put('}');
        }
        s.put(']');
    }

    /** Reads a spool form (or the JSON envelope Airlock spooled before 0.2) back into a record. */
    public static Envelope fromSpool(byte[] payload) {
        JsonNode root = EventCodec.readTree(new String(payload, StandardCharsets.UTF_8));
        Table t;
        JsonNode row;
        Object[] values;
        if (root.isArray()) {
            t = Table.ofKind(root.path(0).asText());
            row = root.path(1);
            values = new Object[t.columns().size()];
        } else {
            // {"id", "kind", "at_us", "body"}: the body's keys are the column names
            t = Table.ofKind(root.path("kind").asText());
            row = EventCodec.readTree(root.path("body").asText());
            values = new Object[t.columns().size()];
            values[t.recordIdIndex()] = UUID.fromString(root.path("id").asText());
            values[t.atIndex()] = root.path("at_us").asLong();
        }
        for (int i = 0; i < values.length; i++) {
            JsonNode n = row.get(t.columns().get(i).name());
            if (n != null && !n.isNull()) {
                values[i] = t.columns().get(i).type().fromJson(n);
            }
        }
        return new Envelope(t, values, t == Table.ACTIONS ? links(row.path("objects")) : List.of());
    }

    /** Links from their JSON form (spool, or the verifier's aggregate of a stored action's links). */
    public static List<Envelope.Link> links(JsonNode objects) {
        List<Envelope.Link> out = new ArrayList<>();
        for (JsonNode o : objects) {
            out.add(new Envelope.Link(new Envelope.ObjectRow(UUID.fromString(o.path("object_id").asText()),
                    text(o, "kind"), text(o, "connection"), text(o, "schema_name"), text(o, "table_name"), text(o, "host"),
                    text(o, "path"), text(o, "method"), text(o, "route"), text(o, "display")), text(o, "access")));
        }
        out.sort(null);
        return out;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    /**
     * The select list the verifier reads a table with: the columns, then {@code chain, seq, prev_hash,
     * record_hash}, and for actions a JSON array of the links as stored.
     */
    public static String selectList(Table t, String alias) {
        StringBuilder b = new StringBuilder();
        for (String c : t.columnNames()) {
            b.append(alias).append('.').append(c).append(", ");
        }
        b.append(alias).append(".chain, ").append(alias).append(".seq, ").append(alias).append(".prev_hash, ")
                .append(alias).append(".record_hash");
        if (t == Table.ACTIONS) {
            b.append(", (SELECT COALESCE(json_agg(json_build_object('access', ao.access, 'object_id', ao.object_id, "
                    + "'kind', o.kind, 'connection', o.connection, 'schema_name', o.schema_name, 'table_name', o.table_name, "
                    + "'host', o.host, 'path', o.path, 'method', o.method, 'route', o.route, 'display', o.display)), '[]') "
                    + "FROM lineage.action_objects ao LEFT JOIN lineage.data_objects o ON o.object_id = ao.object_id "
                    + "WHERE ao.action_id = ").append(alias).append(".action_id AND ao.at = ").append(alias).append(".at)");
        }
        return b.toString();
    }

    /** A stored row read with {@link #selectList}. */
    public record Stored(Envelope envelope, String chain, long seq, byte[] prevHash, byte[] hash) {}

    public static Stored read(Table t, ResultSet rs) throws SQLException {
        int n = t.columns().size();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = t.columns().get(i).type().read(rs, i + 1);
        }
        List<Envelope.Link> links = List.of();
        if (t == Table.ACTIONS) {
            links = links(EventCodec.readTree(rs.getString(n + 5)));
        }
        UUID id = (UUID) values[t.recordIdIndex()];
        if (id == null || values[t.atIndex()] == null) {
            throw new SQLException(t.tableName() + ": a row without record_id or at", "23502");
        }
        return new Stored(new Envelope(t, values, links), rs.getString(n + 1), rs.getLong(n + 2), rs.getBytes(n + 3),
                rs.getBytes(n + 4));
    }
}
