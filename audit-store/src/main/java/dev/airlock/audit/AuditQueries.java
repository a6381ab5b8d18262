package dev.airlock.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;

/** The queries behind {@code airlock audit}: plain SQL over the documented views. */
public final class AuditQueries {

    private final DataSource ds;

    public AuditQueries(DataSource ds) {
        this.ds = Objects.requireNonNull(ds, "ds");
    }

    /**
     * Who touched an object since a time. {@code object} matches the display name
     * ({@code conn.schema.table}), {@code schema.table}, the bare table name, a path or a route.
     */
    public QueryResult whoTouched(String object, Instant since) {
        return query("SELECT at, object, access, subject, acting_subject, action, effect, rule_ids, approvers, action_id "
                + "FROM lineage.who_touched WHERE at >= ? AND (object = ? OR table_name = ? "
                + "OR schema_name || '.' || table_name = ? OR path = ? OR route = ?) ORDER BY at, action_id",
                Timestamp.from(since), object, object, object, object, object);
    }

    /** A session and its actions with their decisions and results. */
    public QueryResult session(UUID sessionId) {
        return query("SELECT a.at, a.action_id, a.summary AS action, a.kind, d.effect, d.rule_ids, r.rows, "
                + "r.duration_us, r.error_class FROM lineage.actions a "
                + "LEFT JOIN lineage.decisions d ON d.action_id = a.action_id "
                + "LEFT JOIN lineage.results r ON r.action_id = a.action_id "
                + "WHERE a.session_id = ? ORDER BY a.at, a.action_id", sessionId);
    }

    /** The session row of {@code lineage.sessions}. */
    public QueryResult sessionInfo(UUID sessionId) {
        return query("SELECT session_id, subject, acting_subject, connection, protocol, client_address, client_program, "
                + "started_at, ended_at, actions FROM lineage.sessions WHERE session_id = ?", sessionId);
    }

    /** Approval requests, newest first, optionally only those in one state. */
    public QueryResult approvals(ApprovalState state) {
        String sql = "SELECT requested_at, request_id, requested_by, connection, profile, summary, state, decided_by, "
                + "approvers, deniers, expires_at FROM lineage.approvals";
        return state == null ? query(sql + " ORDER BY requested_at DESC")
                : query(sql + " WHERE state = ? ORDER BY requested_at DESC", state.sqlName());
    }

    /** Runs any read-only query; used by the documentation tests and the CLI. */
    public QueryResult query(String sql, Object... params) {
        try (Connection c = ds.getConnection()) {
            c.setReadOnly(true);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> cols = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        cols.add(md.getColumnLabel(i));
                    }
                    List<List<Object>> rows = new ArrayList<>();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>(cols.size());
                        for (int i = 1; i <= cols.size(); i++) {
                            row.add(value(rs, i));
                        }
                        rows.add(row);
                    }
                    return new QueryResult(cols, rows);
                }
            } finally {
                c.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw new LineageException("query failed: " + e.getMessage(), e);
        }
    }

    private static Object value(ResultSet rs, int i) throws SQLException {
        Object o = rs.getObject(i);
        if (o instanceof Array a) {
            return Arrays.asList((Object[]) a.getArray());
        }
        if (o instanceof Timestamp) {
            return rs.getObject(i, OffsetDateTime.class).toInstant();
        }
        if (o instanceof org.postgresql.util.PGobject p) {
            return p.getValue();
        }
        return o;
    }
}
