package dev.airlock.audit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where {@link OpenLineageExporter} sends events.
 *
 * @param transport  HTTP (an OpenLineage endpoint such as Marquez), FILE (one JSON event per line) or CONSOLE
 * @param url        base URL for HTTP (events are POSTed to {@code /api/v1/lineage}), else {@code null}
 * @param file       output file for FILE, else {@code null}
 * @param namespace  job namespace, e.g. {@code airlock}
 * @param interval   how often the outbox is polled
 * @param batchSize  events per poll
 */
public record ExportConfig(Transport transport, URI url, Path file, String namespace, Duration interval, int batchSize) {

    public enum Transport { HTTP, FILE, CONSOLE }

    public ExportConfig {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(interval, "interval");
        if (transport == Transport.HTTP && url == null) {
            throw new IllegalArgumentException("url: null (expected: an http(s) URL for the HTTP transport)");
        }
        if (transport == Transport.FILE && file == null) {
            throw new IllegalArgumentException("file: null (expected: a path for the FILE transport)");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: > 0)");
        }
    }

    public static ExportConfig http(URI url) {
        return new ExportConfig(Transport.HTTP, url, null, "airlock", Duration.ofSeconds(5), 100);
    }

    public static ExportConfig file(Path file) {
        return new ExportConfig(Transport.FILE, null, file, "airlock", Duration.ofSeconds(5), 100);
    }

    public static ExportConfig console() {
        return new ExportConfig(Transport.CONSOLE, null, null, "airlock", Duration.ofSeconds(5), 100);
    }
}
