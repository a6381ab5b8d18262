package dev.airlock.audit.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The lineage tables that hold chained records, one per record kind: their columns in COPY order, the
 * key that makes a record idempotent, and the order of their members in the canonical content.
 *
 * <p>Every table also has {@code chain}, {@code seq}, {@code prev_hash} and {@code record_hash}; actions
 * additionally own their links to data objects ({@code objects} in the canonical content).
 */
public enum Table {
    POLICY_VERSIONS("policy_version", "policy_versions", false, "record_id",
            c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("hash", Type.TEXT), c("source", Type.TEXT),
            c("loaded_at", Type.TIMESTAMP)),
    SESSION_STARTS("session_start", "session_starts", false, "session_id",
            c("session_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("issuer", Type.TEXT),
            c("subject", Type.TEXT), c("email", Type.TEXT), c("groups", Type.TEXT_ARRAY), c("actors", Type.JSONB),
            c("acting_subject", Type.TEXT), c("claims", Type.JSONB), c("connection", Type.TEXT), c("protocol", Type.TEXT),
            c("client_address", Type.TEXT), c("client_program", Type.TEXT), c("started_at", Type.TIMESTAMP)),
    SESSION_ENDS("session_end", "session_ends", false, "session_id",
            c("session_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP),
            c("ended_at", Type.TIMESTAMP), c("reason", Type.TEXT)),
    ACTIONS("action", "actions", true, "action_id",
            c("action_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("session_id", Type.UUID_T),
            c("connection", Type.TEXT), c("protocol", Type.TEXT), c("summary", Type.TEXT), c("text", Type.TEXT),
            c("argv", Type.TEXT_ARRAY), c("method", Type.TEXT), c("path", Type.TEXT), c("action_digest", Type.TEXT),
            c("fingerprint", Type.TEXT), c("parameters_digest", Type.TEXT), c("kind", Type.TEXT)),
    DECISIONS("decision", "decisions", true, "action_id",
            c("action_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("effect", Type.TEXT),
            c("approval_profile", Type.TEXT), c("rule_ids", Type.TEXT_ARRAY), c("reason_codes", Type.TEXT_ARRAY),
            c("explanation", Type.TEXT), c("hint", Type.TEXT), c("policy_version", Type.TEXT), c("dry_run", Type.BOOL),
            c("dry_run_outcomes", Type.JSONB)),
    RESULTS("result", "results", true, "action_id",
            c("action_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("rows", Type.INT8),
            c("duration_us", Type.INT8), c("error_class", Type.TEXT), c("error_message", Type.TEXT),
            c("status", Type.INT4), c("bytes", Type.INT8)),
    APPROVAL_REQUESTS("approval_request", "approval_requests", false, "request_id",
            c("request_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("action_id", Type.UUID_T),
            c("action_digest", Type.TEXT), c("session_id", Type.UUID_T), c("subject", Type.TEXT),
            c("chain_subjects", Type.TEXT_ARRAY), c("identity", Type.JSONB), c("connection", Type.TEXT),
            c("policy_version", Type.TEXT), c("profile", Type.TEXT), c("approvers", Type.JSONB),
            c("channels", Type.TEXT_ARRAY), c("summary", Type.TEXT), c("expires_at", Type.TIMESTAMP)),
    APPROVAL_VOTES("approval_vote", "approval_votes", false, "vote_id",
            c("vote_id", Type.UUID_T), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("request_id", Type.UUID_T),
            c("voter", Type.TEXT), c("vote", Type.TEXT), c("channel", Type.TEXT), c("reason", Type.TEXT),
            c("voter_email", Type.TEXT)),
    APPROVAL_STATE_CHANGES("approval_state", "approval_state_changes", false, "record_id",
            c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("request_id", Type.UUID_T), c("from_state", Type.TEXT),
            c("to_state", Type.TEXT), c("by_subject", Type.TEXT), c("channel", Type.TEXT), c("reason", Type.TEXT)),
    /** A refused vote attempt on a request (V21; chained since V22). */
    APPROVAL_REFUSALS("approval_refusal", "approval_refusals", false, "record_id",
            c("refusal_id", Type.INT8), c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("request_id", Type.UUID_T),
            c("voter", Type.TEXT), c("email", Type.TEXT), c("channel", Type.TEXT), c("vote", Type.TEXT),
            c("rejection", Type.TEXT)),
    /** A chat or web delivery refused before it reached a request (V21; chained since V22). */
    APPROVAL_REJECTED_INTERACTIONS("approval_interaction_rejected", "approval_rejected_interactions", false, "record_id",
            c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("channel", Type.TEXT), c("reason", Type.TEXT),
            c("request_id", Type.TEXT), c("claimed_user", Type.TEXT), c("remote", Type.TEXT),
            c("body_digest", Type.TEXT)),
    /** An agent connection refused before it became a session: bad token, unknown connection (V23). */
    SESSION_REFUSALS("session_refused", "session_refusals", false, "record_id",
            c("record_id", Type.UUID_T), c("at", Type.TIMESTAMP), c("listener", Type.TEXT), c("connection", Type.TEXT),
            c("protocol", Type.TEXT), c("client_address", Type.TEXT), c("client_program", Type.TEXT),
            c("failure", Type.TEXT), c("reason", Type.TEXT));

    /** A column: name and type. */
    public record Column(String name, Type type) {}

    /** Canonical members that are not plain columns. */
    static final int CHAIN = -1;
    static final int SEQ = -2;
    static final int OBJECTS = -3;

    private static final Table[] BY_ORDINAL = values();

    private final String kind;
    private final String name;
    private final boolean partitioned;
    private final List<Column> columns;
    private final int keyIndex;
    private final int recordIdIndex;
    private final int atIndex;
    /** Canonical member order: column indexes, or CHAIN / SEQ / OBJECTS. */
    private final int[] canonicalOrder;
    private final String[] canonicalNames;
    /** {@code "name":} of each canonical member, as bytes. */
    private final byte[][] canonicalKeys;
    private final byte[] canonicalPrefix;
    private final String copyColumns;

    Table(String kind, String table, boolean partitioned, String key, Column... columns) {
        this.kind = kind;
        this.name = "lineage." + table;
        this.partitioned = partitioned;
        this.columns = List.of(columns);
        this.keyIndex = index(key);
        this.recordIdIndex = index("record_id");
        this.atIndex = index("at");
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            names.add(c.name());
        }
        names.add("chain");
        names.add("seq");
        if (table.equals("actions")) {
            names.add("objects");
        }
        names.sort(Comparator.naturalOrder());
        canonicalNames = names.toArray(String[]::new);
        canonicalKeys = new byte[canonicalNames.length][];
        for (int i = 0; i < canonicalNames.length; i++) {
            canonicalKeys[i] = ("\"" + canonicalNames[i] + "\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        canonicalPrefix = ("[\"" + kind + "\",{").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        canonicalOrder = new int[canonicalNames.length];
        for (int i = 0; i < canonicalNames.length; i++) {
            String n = canonicalNames[i];
            canonicalOrder[i] = switch (n) {
                case "chain" -> CHAIN;
                case "seq" -> SEQ;
                case "objects" -> OBJECTS;
                default -> index(n);
            };
        }
        copyColumns = " (" + String.join(", ", columnNames()) + ", chain, seq, prev_hash, record_hash) FROM STDIN (FORMAT binary)";
    }

    private static Column c(String name, Type type) {
        return new Column(name, type);
    }

    private int index(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        throw new IllegalArgumentException("column: " + column + " (expected: a column of " + name + ")");
    }

    /** The record kind stored in this table, e.g. {@code action}. */
    public String kind() {
        return kind;
    }

    /** The qualified table name, e.g. {@code lineage.actions}. */
    public String tableName() {
        return name;
    }

    /** Monthly partitions by {@code at}. */
    public boolean partitioned() {
        return partitioned;
    }

    public List<Column> columns() {
        return columns;
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    /** The column that, with {@code at} for partitioned tables, identifies a stored row. */
    public Column key() {
        return columns.get(keyIndex);
    }

    int keyIndex() {
        return keyIndex;
    }

    int recordIdIndex() {
        return recordIdIndex;
    }

    int atIndex() {
        return atIndex;
    }

    int[] canonicalOrder() {
        return canonicalOrder;
    }

    byte[][] canonicalKeys() {
        return canonicalKeys;
    }

    byte[] canonicalPrefix() {
        return canonicalPrefix;
    }

    /** COPY into {@code target}: this table or one of its partitions. */
    String copySql(String target) {
        return "COPY " + target + copyColumns;
    }

    static Table byOrdinal(int i) {
        return BY_ORDINAL[i];
    }

    public static Table ofKind(String kind) {
        for (Table t : BY_ORDINAL) {
            if (t.kind.equals(kind)) {
                return t;
            }
        }
        throw new IllegalArgumentException("kind: " + kind + " (expected: one of "
                + Arrays.stream(BY_ORDINAL).map(Table::kind).toList() + ")");
    }
}
