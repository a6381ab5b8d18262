package dev.airlock.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an HTTP connection needs beyond its upstream URL and credentials.
 *
 * @param route              which requests on the listener go to this connection
 * @param upstreamTls        how an {@code https} upstream is verified
 * @param maxBufferedBody    request bodies up to this many bytes are read before deciding (so policy sees JSON
 *                           fields and approvals bind to the body's digest); larger bodies stream through unread
 * @param connectTimeout     TCP (and TLS) connect to the upstream
 * @param responseTimeout    from the request sent upstream to the response headers ({@code 504} after it)
 * @param maxIdleConnections idle keep-alive upstream connections kept per event loop
 */
public record HttpSettings(Route route, UpstreamTls upstreamTls, int maxBufferedBody, Duration connectTimeout,
                           Duration responseTimeout, int maxIdleConnections) {

    /** Defaults: any host and path, JDK trust store, 64 KiB bodies read, 10 s connect, 60 s response, 32 idle. */
    public static final HttpSettings DEFAULT = new HttpSettings(Route.ANY, UpstreamTls.DEFAULT, 64 << 10,
            Duration.ofSeconds(10), Duration.ofSeconds(60), 32);

    public HttpSettings {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(upstreamTls, "upstreamTls");
        Checks.positive(connectTimeout, "connectTimeout");
        Checks.positive(responseTimeout, "responseTimeout");
        if (maxBufferedBody < 0) {
            throw new IllegalArgumentException("maxBufferedBody: " + maxBufferedBody + " (expected: >= 0)");
        }
        if (maxIdleConnections < 0) {
            throw new IllegalArgumentException("maxIdleConnections: " + maxIdleConnections + " (expected: >= 0)");
        }
    }

    /**
     * Which requests go to a connection: the {@code Host} (without port) matches one of {@code hosts} (any host when
     * empty; {@code *.example.com} matches subdomains) and the path is {@code pathPrefix} or lies below it. The
     * prefix is removed before policy sees the path and before the request goes upstream.
     */
    public record Route(List<String> hosts, String pathPrefix) {

        /** Every request. */
        public static final Route ANY = new Route(List.of(), "/");

        public Route {
            hosts = List.copyOf(hosts);
            Checks.nonBlank(pathPrefix, "pathPrefix");
            if (!pathPrefix.startsWith("/") || (pathPrefix.length() > 1 && pathPrefix.endsWith("/"))) {
                throw new IllegalArgumentException("pathPrefix: " + pathPrefix + " (expected: '/' or /a/b without a trailing '/')");
            }
        }

        /** {@code hosts=[…] path_prefix=…}, for messages. */
        public String describe() {
            return (hosts.isEmpty() ? "any host" : "hosts " + String.join(", ", hosts)) + ", path prefix " + pathPrefix;
        }
    }

    /**
     * Verification of an {@code https} upstream.
     *
     * @param ca     PEM file of the certificate authorities to trust instead of the JDK's trust store
     * @param verify whether the certificate chain and host name are checked ({@code false}: labs only)
     */
    public record UpstreamTls(Optional<Path> ca, boolean verify) {

        public static final UpstreamTls DEFAULT = new UpstreamTls(Optional.empty(), true);

        public UpstreamTls {
            Objects.requireNonNull(ca, "ca");
        }
    }
}
