package dev.airlock.connectors.http;

import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One Airlock HTTP connection as the connector routes to it.
 *
 * @param connection         the Airlock connection name (what policy and lineage call it)
 * @param hosts              {@code Host} names (lower-case) it answers for; {@code *.example.com} matches subdomains;
 *                           empty means any host
 * @param pathPrefix         {@code /} or {@code /a/b}: the request path must be it or lie below it; removed before
 *                           policy sees the path and before the request goes upstream
 * @param upstream           base URL of the real API ({@code http} or {@code https}, optional base path)
 * @param upstreamSsl        client TLS context for an {@code https} upstream, else {@code null}
 * @param verifyHostname     whether the upstream certificate must name the upstream host
 * @param credentialHeaders  headers Airlock sets on every upstream request (e.g. {@code Authorization}); never shown
 * @param maxBufferedBody    request bodies up to this many bytes are read before deciding
 * @param connectTimeout     upstream connect (and TLS handshake) timeout
 * @param responseTimeout    from request sent to response headers
 * @param maxIdleConnections idle keep-alive upstream connections kept per event loop
 */
public record HttpRoute(String connection, List<String> hosts, String pathPrefix, URI upstream, SslContext upstreamSsl,
                        boolean verifyHostname, Map<String, String> credentialHeaders, int maxBufferedBody,
                        Duration connectTimeout, Duration responseTimeout, int maxIdleConnections) {

    public HttpRoute {
        Objects.requireNonNull(connection, "connection");
        hosts = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
        Objects.requireNonNull(pathPrefix, "pathPrefix");
        if (!pathPrefix.startsWith("/") || (pathPrefix.length() > 1 && pathPrefix.endsWith("/"))) {
            throw new IllegalArgumentException("pathPrefix: " + pathPrefix + " (expected: '/' or /a/b)");
        }
        Objects.requireNonNull(upstream, "upstream");
        String scheme = upstream.getScheme() == null ? "" : upstream.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || upstream.getHost() == null) {
            throw new IllegalArgumentException("upstream: " + upstream + " (expected: an absolute http(s) URL)");
        }
        if (scheme.equals("https") != (upstreamSsl != null)) {
            throw new IllegalArgumentException("upstreamSsl: " + upstreamSsl + " (expected: set exactly for an https upstream)");
        }
        credentialHeaders = Map.copyOf(credentialHeaders);
        credentialHeaders.forEach((k, v) -> {
            if (!k.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("credentialHeaders: '" + k + "' (expected: a header name token)");
            }
            if (!v.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
                // never echo the value: it is a secret
                throw new IllegalArgumentException("credentialHeaders: the value of " + k + " holds a control character");
            }
        });
        if (maxBufferedBody < 0) {
            throw new IllegalArgumentException("maxBufferedBody: " + maxBufferedBody + " (expected: >= 0)");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(responseTimeout, "responseTimeout");
        if (maxIdleConnections < 0) {
            throw new IllegalArgumentException("maxIdleConnections: " + maxIdleConnections + " (expected: >= 0)");
        }
    }

    /** A plain-http route to {@code upstream} for any host and path, with no credentials and default limits. */
    public static HttpRoute of(String connection, URI upstream) {
        return of(connection, upstream, null);
    }

    /** A route to {@code upstream} ({@code ssl} for https, verifying the host name), any host and path, default limits. */
    public static HttpRoute of(String connection, URI upstream, SslContext ssl) {
        return new HttpRoute(connection, List.of(), "/", upstream, ssl, true, Map.of(), 64 << 10,
                Duration.ofSeconds(10), Duration.ofSeconds(60), 32);
    }

    public HttpRoute withHosts(List<String> h) {
        return new HttpRoute(connection, h, pathPrefix, upstream, upstreamSsl, verifyHostname, credentialHeaders,
                maxBufferedBody, connectTimeout, responseTimeout, maxIdleConnections);
    }

    public HttpRoute withPathPrefix(String p) {
        return new HttpRoute(connection, hosts, p, upstream, upstreamSsl, verifyHostname, credentialHeaders,
                maxBufferedBody, connectTimeout, responseTimeout, maxIdleConnections);
    }

    public HttpRoute withCredentialHeaders(Map<String, String> h) {
        return new HttpRoute(connection, hosts, pathPrefix, upstream, upstreamSsl, verifyHostname, h,
                maxBufferedBody, connectTimeout, responseTimeout, maxIdleConnections);
    }

    public HttpRoute withMaxBufferedBody(int n) {
        return new HttpRoute(connection, hosts, pathPrefix, upstream, upstreamSsl, verifyHostname, credentialHeaders,
                n, connectTimeout, responseTimeout, maxIdleConnections);
    }

    public HttpRoute withResponseTimeout(Duration d) {
        return new HttpRoute(connection, hosts, pathPrefix, upstream, upstreamSsl, verifyHostname, credentialHeaders,
                maxBufferedBody, connectTimeout, d, maxIdleConnections);
    }

    public HttpRoute withUpstreamSsl(SslContext ssl, boolean verify) {
        return new HttpRoute(connection, hosts, pathPrefix, upstream, ssl, verify, credentialHeaders,
                maxBufferedBody, connectTimeout, responseTimeout, maxIdleConnections);
    }

    /** The upstream port (the scheme's default when the URL names none). */
    public int upstreamPort() {
        return upstream.getPort() > 0 ? upstream.getPort() : upstreamSsl != null ? 443 : 80;
    }

    /** The base path of the upstream URL without a trailing {@code /} ({@code ""} for none). */
    public String upstreamBasePath() {
        String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** {@code Host} header value for the upstream: host, plus the port when it is not the scheme's default. */
    public String upstreamAuthority() {
        String host = upstream.getHost();
        int port = upstreamPort();
        boolean dflt = port == (upstreamSsl != null ? 443 : 80);
        return dflt ? host : host + ':' + port;
    }

    @Override
    public String toString() {
        return "HttpRoute[" + connection + " " + (hosts.isEmpty() ? "*" : String.join(",", hosts)) + pathPrefix
                + " -> " + upstream + ", credentials=" + credentialHeaders.keySet() + ']';
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
