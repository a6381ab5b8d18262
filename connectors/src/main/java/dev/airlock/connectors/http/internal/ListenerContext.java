package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HttpListenerConfig;
import dev.airlock.connectors.http.HttpRoute;
import dev.airlock.connectors.spi.Gate;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What every agent connection of one HTTP listener shares: settings, routes, upstream pools, async requests. */
public final class ListenerContext implements AutoCloseable {

    /** Set on an upstream channel once an exchange used it (a later exchange on it is on a reused connection). */
    static final AttributeKey<Boolean> USED = AttributeKey.valueOf("airlock.http.upstream.used");

    private final HttpListenerConfig config;
    private final Gate gate;
    private final RouteTable routes;
    private final Map<String, UpstreamPool> pools = new LinkedHashMap<>();
    private final AsyncRequests async;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong headTimeouts = new AtomicLong();
    private final ChannelGroup channels = new DefaultChannelGroup("airlock-http", GlobalEventExecutor.INSTANCE);
    private volatile boolean shuttingDown;

    /** The user event {@link #shutdown()} sends down every agent connection's pipeline. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "drain";
        }
    };

    public ListenerContext(HttpListenerConfig config, Gate gate, AddressResolverGroup<? extends SocketAddress> resolver) {
        this.config = config;
        this.gate = gate;
        this.routes = new RouteTable(config.routes(), config.defaultConnection());
        for (HttpRoute r : config.routes()) {
            pools.put(r.connection(), new UpstreamPool(r, resolver));
        }
        this.async = new AsyncRequests(config.maxAsyncRequests(), config.asyncResultTtl());
    }

    public HttpListenerConfig config() {
        return config;
    }

    Gate gate() {
        return gate;
    }

    RouteTable routes() {
        return routes;
    }

    UpstreamPool pool(String connection) {
        UpstreamPool p = pools.get(connection);
        if (p == null) {
            throw new IllegalStateException("no upstream pool for connection " + connection);
        }
        return p;
    }

    AsyncRequests async() {
        return async;
    }

    /** Agent connections open now. */
    public int connections() {
        return connections.get();
    }

    /** Connections closed because a request head did not arrive in time (slow or stalled clients). */
    public long headTimeouts() {
        return headTimeouts.get();
    }

    public void headTimedOut() {
        headTimeouts.incrementAndGet();
    }

    /** Async requests held now (pending or with a result not fetched yet). */
    public int asyncRequests() {
        return async.size();
    }

    /** An agent connection just accepted (it leaves the set when it closes). */
    public void register(Channel ch) {
        channels.add(ch);
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    /**
     * The listener is going away: idle connections close now, busy ones after their current request (HTTP/1.1:
     * answered with {@code Connection: close}; HTTP/2: {@code GOAWAY}, the open streams finish). Safe from any thread.
     */
    public void shutdown() {
        shuttingDown = true;
        for (Channel ch : channels) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(DRAIN));
        }
    }

    void opened() {
        connections.incrementAndGet();
    }

    void closed() {
        connections.decrementAndGet();
    }

    @Override
    public void close() {
        pools.values().forEach(UpstreamPool::close);
    }
}
