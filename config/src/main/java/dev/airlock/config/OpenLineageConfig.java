package dev.airlock.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * OpenLineage export of executed actions ({@code lineage.openlineage}): where the RunEvents go.
 *
 * @param transport HTTP (an OpenLineage endpoint such as Marquez; events are POSTed to {@code <url>/api/v1/lineage}),
 *                  FILE (one JSON event per line) or CONSOLE (standard output)
 * @param url       the endpoint, with HTTP only
 * @param file      the output file, with FILE only
 * @param namespace the job namespace
 * @param interval  how often the outbox is polled
 */
public record OpenLineageConfig(Transport transport, Optional<URI> url, Optional<Path> file, String namespace,
                                Duration interval) {

    public enum Transport { HTTP, FILE, CONSOLE }

    public OpenLineageConfig {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(file, "file");
        Checks.nonBlank(namespace, "namespace");
        Objects.requireNonNull(interval, "interval");
        if (transport == Transport.HTTP && url.isEmpty()) {
            throw new IllegalArgumentException("url: empty (expected: an http(s) URL for transport http)");
        }
        if (transport == Transport.FILE && file.isEmpty()) {
            throw new IllegalArgumentException("file: empty (expected: a path for transport file)");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
    }
}
