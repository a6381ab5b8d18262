package dev.airlock.connectors.http;

import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Gate;
import java.util.List;

/** Hands the package-private {@link HttpTestGate} (inline) to tests in other packages. */
public final class HttpTestGateAccess {

    private final HttpTestGate gate = new HttpTestGate(true);

    public Gate gate() {
        return gate;
    }

    public List<Command> admitted() {
        return gate.admitted;
    }
}
