package dev.airlock.audit;

import dev.airlock.policy.Digests;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Something an action touches: a table behind a database connection, a path on an SSH host, or an
 * HTTP route. Equal objects have equal {@link #id()}s, so each is stored once.
 */
public record DataObject(Kind kind, String connection, String schema, String table, String host, String path,
                         String method, String route) {

    public enum Kind { TABLE, PATH, ROUTE }

    public DataObject {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(connection, "connection");
        switch (kind) {
            case TABLE -> Objects.requireNonNull(table, "table");
            case PATH -> Objects.requireNonNull(path, "path");
            case ROUTE -> {
                Objects.requireNonNull(method, "method");
                Objects.requireNonNull(route, "route");
            }
        }
    }

    public static DataObject table(String connection, String schema, String table) {
        return new DataObject(Kind.TABLE, connection, schema, table, null, null, null, null);
    }

    public static DataObject path(String connection, String host, String path) {
        return new DataObject(Kind.PATH, connection, null, null, host, path, null, null);
    }

    public static DataObject route(String connection, String host, String method, String route) {
        return new DataObject(Kind.ROUTE, connection, null, null, host, null, method, route);
    }

    /** How auditors name it: {@code conn.schema.table}, {@code conn:/path}, {@code conn GET /route}. */
    public String display() {
        return switch (kind) {
            case TABLE -> connection + '.' + (schema == null ? "" : schema + '.') + table;
            case PATH -> connection + ':' + path;
            case ROUTE -> connection + ' ' + method + ' ' + route;
        };
    }

    /** A stable id derived from the object's identity. */
    public UUID id() {
        List<String> parts = new ArrayList<>();
        parts.add(kind.name());
        parts.add(connection);
        parts.add(schema);
        parts.add(table);
        parts.add(host);
        parts.add(path);
        parts.add(method);
        parts.add(route);
        ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex(Digests.sha256Hex(parts)));
        return new UUID(b.getLong(), b.getLong());
    }
}
