package dev.airlock.connectors.spi;

/** Progress of one {@link Gate#admit} call before its verdict; may be called from any thread. */
@FunctionalInterface
public interface AdmissionListener {

    /** The command waits for approval; the connector tells the agent where the protocol allows. */
    void awaitingApproval(AwaitingApproval awaiting);
}
