package dev.airlock.policy.internal;

import dev.airlock.policy.Action;
import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import java.time.Instant;

/** One decision's inputs, plus values derived from them at most once. */
public final class EvalContext {

    public final Identity identity;
    public final ConnectionRef connection;
    public final Action action;
    public final Instant now;
    /** Non-null exactly when the action is of that protocol. */
    public final SqlAction sql;
    public final SshAction ssh;
    public final HttpAction http;
    /** The SQL kind rules see: the analysed kind, raised per {@code on_unparsed} when the analysis is incomplete. */
    public final SqlKind sqlKind;
    public final boolean sqlUnparsed;
    private String argvLine;

    public EvalContext(Identity identity, ConnectionRef connection, Action action, Instant now, SqlKind unparsedKind) {
        this.identity = identity;
        this.connection = connection;
        this.action = action;
        this.now = now;
        this.sql = action instanceof SqlAction s ? s : null;
        this.ssh = action instanceof SshAction s ? s : null;
        this.http = action instanceof HttpAction h ? h : null;
        if (sql != null) {
            boolean unparsed = false;
            SqlKind k = sql.analysis().statements().isEmpty() ? SqlKind.READ : SqlKind.TRANSACTION;
            for (SqlStatement s : sql.analysis().statements()) {
                unparsed |= s.unparsed();
                k = k.max(s.kind());
            }
            this.sqlUnparsed = unparsed;
            this.sqlKind = unparsed && unparsedKind != null ? k.max(unparsedKind) : k;
        } else {
            this.sqlUnparsed = false;
            this.sqlKind = null;
        }
    }

    /** The SSH argv joined with single spaces (computed once). */
    public String argvLine() {
        if (argvLine == null) {
            argvLine = String.join(" ", ssh.argv());
        }
        return argvLine;
    }
}
