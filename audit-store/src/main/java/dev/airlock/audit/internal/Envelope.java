package dev.airlock.audit.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A record before it is sealed into a chain: the table (kind) it belongs to, its column values in
 * {@link Table#columns()} order (see {@link Type} for the Java value of each type) and, for actions, its
 * links to data objects, sorted by object id and access.
 */
public record Envelope(Table table, Object[] values, List<Link> links) {

    public Envelope {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(values, "values");
        if (values.length != table.columns().size()) {
            throw new IllegalArgumentException("values: " + values.length + " (expected: " + table.columns().size()
                    + " for " + table.tableName() + ")");
        }
        Objects.requireNonNull(values[table.recordIdIndex()], "record_id");
        Objects.requireNonNull(values[table.atIndex()], "at");
        links = links == null ? List.of() : List.copyOf(links);
    }

    public UUID recordId() {
        return (UUID) values[table.recordIdIndex()];
    }

    public String kind() {
        return table.kind();
    }

    /** Epoch microseconds: decides the monthly partition. */
    public long atMicros() {
        return (Long) values[table.atIndex()];
    }

    /** The value of the table's key column. */
    public Object key() {
        return values[table.keyIndex()];
    }

    public Object value(String column) {
        for (int i = 0; i < values.length; i++) {
            if (table.columns().get(i).name().equals(column)) {
                return values[i];
            }
        }
        throw new IllegalArgumentException("column: " + column + " (expected: a column of " + table.tableName() + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope e && e.table == table && Arrays.deepEquals(e.values, values) && e.links.equals(links);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, Arrays.deepHashCode(values), links);
    }

    @Override
    public String toString() {
        return table.kind() + " " + recordId();
    }

    /** An action's link to a data object. */
    public record Link(ObjectRow object, String access) implements Comparable<Link> {
        public Link {
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(access, "access");
        }

        @Override
        public int compareTo(Link o) {
            int c = object.id().compareTo(o.object.id());
            return c != 0 ? c : access.compareTo(o.access);
        }
    }

    /** A row of {@code lineage.data_objects}. */
    public record ObjectRow(UUID id, String kind, String connection, String schemaName, String tableName, String host,
                            String path, String method, String route, String display) {
        public ObjectRow {
            Objects.requireNonNull(id, "id");
        }
    }
}
