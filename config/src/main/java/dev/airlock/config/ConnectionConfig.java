package dev.airlock.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An upstream that agents may reach through Airlock, under a name that policy rules match.
 *
 * @param name        unique connection name
 * @param protocol    protocol of the upstream (equals the listener's)
 * @param listener    name of the listener agents use to reach it
 * @param upstream    where the real server is
 * @param database    database name (PostgreSQL, MySQL)
 * @param login       the user Airlock logs in as upstream (PostgreSQL, MySQL, SSH)
 * @param credentials what Airlock presents upstream
 * @param labels      free-form labels for policy matching, e.g. {@code env: prod}
 * @param tls         encryption of the connection to a database upstream (PostgreSQL, MySQL)
 * @param pool        transaction-level pooling of upstream connections; empty for one per agent session
 * @param http        HTTP routing, upstream TLS and limits; present exactly for HTTP connections
 * @param maxSessionsPerAgent sessions one agent (the acting subject of its token) may have open on this connection
 *                    at once; {@code 0}: no limit. Beyond it the session is refused (PostgreSQL 53300, HTTP 429)
 */
public record ConnectionConfig(String name, Protocol protocol, String listener, Upstream upstream,
                               Optional<String> database, Optional<String> login, Credentials credentials,
                               Map<String, String> labels, UpstreamTls tls, Optional<UpstreamPool> pool,
                               Optional<HttpSettings> http, int maxSessionsPerAgent) {

    public ConnectionConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Checks.nonBlank(listener, "listener");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(credentials, "credentials");
        labels = Map.copyOf(Checks.nonNullEntries(labels, "labels"));
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(http, "http");
        if (maxSessionsPerAgent < 0) {
            throw new IllegalArgumentException("maxSessionsPerAgent: " + maxSessionsPerAgent + " (expected: >= 0)");
        }
        if (http.isPresent() != (protocol == Protocol.HTTP)) {
            throw new IllegalArgumentException("http: " + http + " (expected: present exactly for http connections)");
        }
    }

    /** Plain TCP upstream, no pooling, not HTTP. */
    public ConnectionConfig(String name, Protocol protocol, String listener, Upstream upstream, Optional<String> database,
                            Optional<String> login, Credentials credentials, Map<String, String> labels) {
        this(name, protocol, listener, upstream, database, login, credentials, labels, UpstreamTls.DISABLE,
                Optional.empty(), Optional.empty(), 0);
    }
}
