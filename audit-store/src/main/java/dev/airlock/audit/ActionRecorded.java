package dev.airlock.audit;

import dev.airlock.policy.Action;
import dev.airlock.policy.HttpAction;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.SshAction;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.TableRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/** An agent sent a command in a session, touching the listed objects. */
public record ActionRecorded(UUID recordId, Instant at, UUID actionId, UUID sessionId, Action action,
                             List<ObjectAccess> objects) implements LineageEvent {

    public ActionRecorded {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actionId, "actionId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(action, "action");
        objects = List.copyOf(objects);
    }

    /** The action with the objects its analysis names (tables, transferred paths, the HTTP route). */
    public static ActionRecorded of(UUID actionId, UUID sessionId, Action action) {
        return new ActionRecorded(LineageIds.next(), Instant.now(), actionId, sessionId, action, objectsOf(action));
    }

    /** The objects an action touches as far as its decoded form tells. */
    public static List<ObjectAccess> objectsOf(Action action) {
        List<ObjectAccess> out = new ArrayList<>();
        if (action instanceof SqlAction sql) {
            boolean export = sql.analysis().kind() == SqlKind.EXPORT;
            for (TableRef t : sql.analysis().tablesRead()) {
                out.add(new ObjectAccess(DataObject.table(sql.connection(), t.schema(), t.name()),
                        export ? Access.EXPORT : Access.READ));
            }
            for (TableRef t : sql.analysis().tablesWritten()) {
                out.add(new ObjectAccess(DataObject.table(sql.connection(), t.schema(), t.name()), Access.WRITE));
            }
        } else if (action instanceof SshAction ssh) {
            Access access = ssh.transfer() == SshAction.Transfer.UPLOAD ? Access.WRITE : Access.EXPORT;
            for (String p : ssh.paths()) {
                out.add(new ObjectAccess(DataObject.path(ssh.connection(), ssh.connection(), p), access));
            }
        } else if (action instanceof HttpAction http) {
            String m = http.method().toUpperCase(Locale.ROOT);
            Access access = m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS") ? Access.READ : Access.WRITE;
            out.add(new ObjectAccess(DataObject.route(http.connection(), http.host(), m, http.path()), access));
        }
        return out;
    }
}
