package dev.airlock.connectors.spi;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * What a connector asks before it lets anything through. Every method may be called from a Netty event
 * loop and must not block it: slow work (token verification, policy, approvals, lineage writes) runs
 * elsewhere and completes the returned stage from any thread.
 */
public interface Gate {

    /**
     * Verifies the credential an agent presented for the named Airlock connection.
     *
     * @return the opened session, or a stage failed with {@link GateRejectedException} (any other failure
     *         is treated as {@link Failure#UNAVAILABLE})
     */
    CompletionStage<Session> authenticate(Credential credential, String connection, ClientInfo client);

    /**
     * Decides whether one command may run. The stage completes when the decision is final; while a human
     * is asked, the gate tells the connector through {@code listener} so the agent can be told.
     */
    CompletionStage<Verdict> admit(Session session, Command command, AdmissionListener listener);

    /** Records what an admitted command did. Fire-and-forget: must not block and must not throw. */
    void report(Session session, Command command, Outcome outcome);

    /** The agent's connection has ended (for any reason). Called once per successful {@link #authenticate}. */
    void sessionClosed(Session session, String reason);

    /**
     * A new id for a command the connector names itself ({@link Command#id()}: an HTTP request's id, which the
     * agent, the upstream and the lineage all see). Cheap, never blocks. Airlock's gate hands out time-ordered
     * ids, the ones it records everything else under; this default gives random ones.
     */
    default UUID newCommandId() {
        return UUID.randomUUID();
    }
}
