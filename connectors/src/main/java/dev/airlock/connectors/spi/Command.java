package dev.airlock.connectors.spi;

import dev.airlock.config.Protocol;
import dev.airlock.policy.Action;
import dev.airlock.policy.HttpAction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One command an agent wants to run, as raw as the protocol sent it; the gate does the analysis.
 *
 * @param protocol   protocol it arrived on
 * @param kind       what sort of command it is
 * @param text       the command text exactly as sent (SQL string, function reference, …)
 * @param parameters bound parameter values in text form ({@code null} for SQL NULL, binary as {@code \x} hex);
 *                   empty when the command carries none or they are not known yet
 * @param action     the action already described by the connector, for protocols whose commands the connector
 *                   can describe completely without analysis (an HTTP request becomes an {@link HttpAction});
 *                   {@code null} when the gate must analyse {@code text} itself (SQL)
 * @param id         the id the gate records the action under (the connector's request id, so agent, upstream and
 *                   lineage name one request alike); {@code null} lets the gate choose
 * @param statedReason the agent's own reason, when the protocol carries one beside the command (HTTP: the
 *                   {@code X-Airlock-Reason} header), as sent; {@code null} when none. Shown to approvers, never
 *                   trusted: it is not part of {@code action}, so policy never sees it. (A reason written as a
 *                   leading SQL comment is in {@code text}; the gate reads it from there.)
 */
public record Command(Protocol protocol, Kind kind, String text, List<String> parameters, Action action, UUID id,
                      String statedReason) {

    public Command {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        parameters = parameters == null || parameters.isEmpty()
                ? List.of() : Collections.unmodifiableList(new ArrayList<>(parameters));
        if (kind == Kind.HTTP_REQUEST && !(action instanceof HttpAction)) {
            throw new IllegalArgumentException("action: " + action + " (expected: an HttpAction for " + kind + ")");
        }
    }

    /** A command without a stated reason beside it. */
    public Command(Protocol protocol, Kind kind, String text, List<String> parameters, Action action, UUID id) {
        this(protocol, kind, text, parameters, action, id, null);
    }

    /** A command the gate analyses from its text. */
    public Command(Protocol protocol, Kind kind, String text, List<String> parameters) {
        this(protocol, kind, text, parameters, null, null);
    }

    /** A command with an action the connector described, recorded under an id the gate chooses. */
    public Command(Protocol protocol, Kind kind, String text, List<String> parameters, Action action) {
        this(protocol, kind, text, parameters, action, null);
    }

    /** An HTTP request, described completely by the connector; {@code text} is {@code "METHOD path"}. */
    public static Command http(HttpAction action) {
        return http(action, null);
    }

    /** An HTTP request recorded under {@code id} (the request id the agent and the upstream see). */
    public static Command http(HttpAction action, UUID id) {
        return http(action, id, null);
    }

    /** An HTTP request recorded under {@code id}, with the agent's stated reason (or {@code null}). */
    public static Command http(HttpAction action, UUID id, String statedReason) {
        return new Command(Protocol.HTTP, Kind.HTTP_REQUEST, action.method() + " " + action.path(), null, action, id,
                statedReason);
    }

    /** What sort of command. */
    public enum Kind {
        /** A complete SQL string run at once, possibly holding several statements (PostgreSQL simple query). */
        SQL_QUERY,
        /** A SQL statement being prepared; parameters are not known yet. */
        SQL_PREPARE,
        /** A prepared SQL statement about to run with these parameters. */
        SQL_EXECUTE,
        /** A server function called directly by reference, bypassing SQL (PostgreSQL fast-path). */
        FUNCTION_CALL,
        /** One HTTP request (or WebSocket upgrade); {@link Command#action()} holds its {@link HttpAction}. */
        HTTP_REQUEST
    }
}
