package dev.airlock.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a connection's real server is.
 *
 * @param host host name or IP address
 * @param port TCP port
 * @param url  for HTTP connections, the base URL (scheme, host, port, base path); empty otherwise
 */
public record Upstream(String host, int port, Optional<URI> url) {

    public Upstream {
        Checks.nonBlank(host, "host");
        Checks.port(port, "port");
        Objects.requireNonNull(url, "url");
    }

    @Override
    public String toString() {
        return url.map(URI::toString).orElse(host.contains(":") ? "[" + host + "]:" + port : host + ":" + port);
    }
}
