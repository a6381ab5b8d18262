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

    private record BudgetKey(EventLoop loop, UpstreamTarget target) {
    }

    private final ConcurrentHashMap<Key, UpstreamPool> pools = new ConcurrentHashMap<>();
    /** Touched on the key's event loop only, as the pools are. */
    private final ConcurrentHashMap<BudgetKey, UpstreamPool.Budget> budgets = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Call on the client's event loop. */
    UpstreamPool pool(Channel client, UpstreamTarget target, Map<String, String> parameters, PostgresListenerConfig config) {
        EventLoop loop = client.eventLoop();
        Key key = new Key(loop, target, Map.copyOf(parameters));
        return pools.computeIfAbsent(key, k -> {
            UpstreamPool.Budget budget = budgets.computeIfAbsent(new BudgetKey(loop, target), b -> {
                int loops = 0;
                for (EventExecutor ignored : loop.parent()) {
                    loops++;
                }
                return new UpstreamPool.Budget(Math.max(1, (target.pool().size() + Math.max(loops, 1) - 1) / Math.max(loops, 1)));
            });
            UpstreamPool[] self = new UpstreamPool[1];
            UpstreamPool p = new UpstreamPool(loop, client.getClass(), target, parameters, config, budget,
                    () -> pools.remove(key, self[0]));
            self[0] = p;
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
        budgets.values().forEach(b -> b.closed = true); // pools that left the map while empty open nothing either
        pools.values().forEach(UpstreamPool::close);
    }
}
