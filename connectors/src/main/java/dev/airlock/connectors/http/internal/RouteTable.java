package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HttpRoute;
import dev.airlock.connectors.http.message.RequestTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the connection for a request: the longest matching path prefix wins, then a route that names hosts
 * beats one that does not; when nothing matches, the listener's default connection (if any) takes the request.
 */
public final class RouteTable {

    /** A route and the request target below its prefix (what policy sees and what goes upstream). */
    public record Match(HttpRoute route, RequestTarget target) {
    }

    private final List<HttpRoute> routes;
    private final HttpRoute fallback;

    public RouteTable(List<HttpRoute> routes, String defaultConnection) {
        List<HttpRoute> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((HttpRoute r) -> r.pathPrefix().equals("/") ? 0 : r.pathPrefix().length())
                .reversed().thenComparing(r -> r.hosts().isEmpty()));
        this.routes = List.copyOf(sorted);
        this.fallback = defaultConnection == null ? null
                : routes.stream().filter(r -> r.connection().equals(defaultConnection)).findFirst().orElseThrow();
    }

    public List<HttpRoute> routes() {
        return routes;
    }

    /** The route for {@code host} (lower-case, without port) and {@code target}, or {@code null}. */
    public Match find(String host, RequestTarget target) {
        for (HttpRoute r : routes) {
            if (hostMatches(r, host)) {
                RequestTarget below = target.below(r.pathPrefix());
                if (below != null) {
                    return new Match(r, below);
                }
            }
        }
        if (fallback != null) {
            RequestTarget below = target.below(fallback.pathPrefix());
            return new Match(fallback, below != null ? below : target);
        }
        return null;
    }

    static boolean hostMatches(HttpRoute r, String host) {
        if (r.hosts().isEmpty()) {
            return true;
        }
        for (String h : r.hosts()) {
            if (h.startsWith("*.") ? host.length() > h.length() - 1 && host.endsWith(h.substring(1)) : h.equals(host)) {
                return true;
            }
        }
        return false;
    }
}
