package dev.airlock.connectors.spi;

import dev.airlock.config.Protocol;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One command an agent wants to run, as raw as the protocol sent it; the gate does the analysis.
 *
 * @param protocol   protocol it arrived on
 * @param kind       what sort of command it is
 * @param text       the command text exactly as sent (SQL string, function reference, …)
 * @param parameters bound parameter values in text form ({@code null} for SQL NULL, binary as {@code \x} hex);
 *                   empty when the command carries none or they are not known yet
 */
public record Command(Protocol protocol, Kind kind, String text, List<String> parameters) {

    public Command {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        parameters = parameters == null || parameters.isEmpty()
                ? List.of() : Collections.unmodifiableList(new ArrayList<>(parameters));
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
        FUNCTION_CALL
    }
}
