package dev.airlock.connectors.spi;

import dev.airlock.policy.ConnectionRef;
import dev.airlock.policy.Identity;

/**
 * One authenticated agent connection, as opened by {@link Gate#authenticate}. The gate may return its own
 * implementation carrying extra state; connectors only use these accessors.
 */
public interface Session {

    /** Unique id of this session (the lineage store's session id). */
    String id();

    Identity identity();

    ConnectionRef connection();

    /** Where to connect, and with which credentials only Airlock holds. */
    UpstreamTarget upstream();
}
