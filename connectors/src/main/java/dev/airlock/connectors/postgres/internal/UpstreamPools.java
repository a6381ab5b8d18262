package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.spi.UpstreamTarget;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The upstream pools of one listener: one per event loop, pooled target and set of forwarded startup parameters. */
public final class UpstreamPools implements AutoCloseable {

    private record Key(EventLoop loop, UpstreamTarget target, Map<String, String> parameters) {
    }

    private final ConcurrentHashMap<Key, UpstreamPool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    UpstreamPool pool(Channel client, UpstreamTarget target, Map<String, String> parameters, PostgresListenerConfig config) {
        EventLoop loop = client.eventLoop();
        return pools.computeIfAbsent(new Key(loop, target, Map.copyOf(parameters)), k -> {
            int loops = 0;
            for (EventExecutor ignored : loop.parent()) {
                loops++;
            }
            int perLoop = Math.max(1, (target.pool().size() + Math.max(loops, 1) - 1) / Math.max(loops, 1));
            UpstreamPool p = new UpstreamPool(loop, client.getClass(), target, parameters, config, perLoop);
            if (closed) {
                p.close();
            }
            return p;
        });
    }

    /** Closes every idle pooled connection; busy ones close as their sessions end. */
    @Override
    public void close() {
        closed = true;
        pools.values().forEach(UpstreamPool::close);
    }
}
