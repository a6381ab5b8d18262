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
 * @param http        HTTP routing, upstream TLS and limits; present exactly for HTTP connections
 */
public record ConnectionConfig(String name, Protocol protocol, String listener, Upstream upstream,
                               Optional<String> database, Optional<String> login, Credentials credentials,
                               Map<String, String> labels, Optional<HttpSettings> http) {

    public ConnectionConfig {
        Checks.nonBlank(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        Checks.nonBlank(listener, "listener");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(credentials, "credentials");
        labels = Map.copyOf(Checks.nonNullEntries(labels, "labels"));
        Objects.requireNonNull(http, "http");
        if (http.isPresent() != (protocol == Protocol.HTTP)) {
            throw new IllegalArgumentException("http: " + http + " (expected: present exactly for http connections)");
        }
    }
}
