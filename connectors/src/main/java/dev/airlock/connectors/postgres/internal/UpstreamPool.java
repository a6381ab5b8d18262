package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.spi.UpstreamTarget;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle upstream connections of one target and one set of startup parameters, on one event loop (so a connection
 * and every agent session it serves share a thread and nothing here needs a lock). The pools of one target on one
 * loop share a {@link Budget}: together they hold at most its limit of connections, however many sets of startup
 * parameters agents send, so varying one cannot exhaust the server's connections. A pool that needs a connection
 * beyond the budget takes it from an idle one of a sibling (closing that); failing that, its sessions wait in
 * order, up to the connect timeout, and a sibling that releases a connection while they wait closes it for them.
 * The most recently used idle connection is handed out first; connections idle for longer than the pool's idle
 * timeout are closed.
 */
final class UpstreamPool {

    /** The connections one target may have open on one event loop, over all its pools. */
    static final class Budget {
        final int limit;
        int open;
        /** The listener is shutting down: no pool of the budget opens connections any more. */
        volatile boolean closed;
        /** The pools with connections or waiting sessions (an empty one leaves, so these stay few). */
        final Set<UpstreamPool> pools = new LinkedHashSet<>();

        Budget(int limit) {
            this.limit = limit;
        }

        /** Closes one idle connection of a pool other than {@code except}; whether there was one. */
        boolean evictIdle(UpstreamPool except) {
            for (UpstreamPool p : pools) {
                if (p != except && !p.idle.isEmpty()) {
                    ServerConnection c = p.idle.pollLast();
                    p.forget(c);
                    c.terminate();
                    p.unlistIfEmpty();
                    return true;
                }
            }
            return false;
        }

        /** A pool (other than {@code except}) with sessions waiting, or {@code null}. */
        UpstreamPool waiting(UpstreamPool except) {
            for (UpstreamPool p : pools) {
                if (p != except && !p.waiters.isEmpty()) {
                    return p;
                }
            }
            return null;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);

    private final EventLoop loop;
    private final Class<? extends Channel> channelType;
    private final UpstreamTarget target;
    private final Map<String, String> parameters;
    private final PostgresListenerConfig config;
    private final Budget budget;
    /** Run when the pool has nothing left (its owner forgets it). */
    private final Runnable onEmpty;
    private boolean listed = true;
    private final ArrayDeque<ServerConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Promise<ServerConnection>> waiters = new ArrayDeque<>();
    private int open;
    private ScheduledFuture<?> sweeper;
    private boolean closed;

    UpstreamPool(EventLoop loop, Class<? extends Channel> channelType, UpstreamTarget target, Map<String, String> parameters,
                 PostgresListenerConfig config, Budget budget, Runnable onEmpty) {
        this.loop = loop;
        this.channelType = channelType;
        this.target = target;
        this.parameters = Map.copyOf(parameters);
        this.config = config;
        this.budget = budget;
        this.onEmpty = onEmpty;
        budget.pools.add(this);
    }

    /** With no connection and nobody waiting, the pool leaves its budget and its owner. */
    private void unlistIfEmpty() {
        if (listed && open == 0 && waiters.isEmpty() && idle.isEmpty()) {
            listed = false;
            budget.pools.remove(this);
            if (sweeper != null) {
                sweeper.cancel(false);
                sweeper = null;
            }
            onEmpty.run();
        }
    }

    /**
     * A logged-in connection, idle or new, with the session's {@link TrackedParameters} applied; completes on
     * this pool's event loop. Call on that loop. Fails with {@link ServerConnection.ParameterRejected} when the
     * server refuses one of the values.
     */
    Future<ServerConnection> acquire(Map<String, String> wants) {
        Promise<ServerConnection> p = loop.newPromise();
        Future<ServerConnection> raw = acquire();
        if (raw.isDone()) {
            sync(raw, wants, p);
        } else {
            raw.addListener(f -> sync(raw, wants, p));
        }
        return p;
    }

    private void sync(Future<ServerConnection> raw, Map<String, String> wants, Promise<ServerConnection> p) {
        if (!raw.isSuccess()) {
            p.tryFailure(raw.cause());
            return;
        }
        ServerConnection c = raw.getNow();
        Future<ServerConnection> synced = c.sync(wants, config.upstreamConnectTimeout());
        synced.addListener(f -> {
            if (f.isSuccess()) {
                if (!p.trySuccess(c)) {
                    release(c);
                }
            } else {
                if (f.cause() instanceof ServerConnection.ParameterRejected) {
                    release(c); // unchanged and usable
                }
                // otherwise the connection closed itself and counts itself out of the pool
                p.tryFailure(f.cause());
            }
        });
    }

    /** A logged-in connection, idle or new, as it is. */
    private Future<ServerConnection> acquire() {
        assert loop.inEventLoop();
        if (!listed) {
            listed = true; // a session that kept this pool comes back
            budget.pools.add(this);
        }
        Promise<ServerConnection> p = loop.newPromise();
        ServerConnection c;
        while ((c = idle.pollFirst()) != null) {
            if (c.isUsable()) {
                p.setSuccess(c);
                return p;
            }
            forget(c);
        }
        if (closed || budget.closed) {
            p.setFailure(new IllegalStateException("listener is shutting down"));
        } else if (budget.open < budget.limit || budget.evictIdle(this)) {
            connect(p);
        } else {
            waiters.add(p);
            ScheduledFuture<?> timeout = loop.schedule(() -> {
                if (waiters.remove(p)) {
                    p.tryFailure(new TimeoutException("all " + budget.limit + " pooled upstream connections stayed busy for "
                            + config.upstreamConnectTimeout().toMillis() + " ms"));
                }
            }, config.upstreamConnectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            p.addListener(f -> timeout.cancel(false));
        }
        return p;
    }

    private void connect(Promise<ServerConnection> p) {
        open++;
        budget.open++;
        UpstreamHandshakeHandler.connect(loop, channelType, target, parameters, config).addListener(f -> {
            if (f.isSuccess()) {
                ServerConnection c = new ServerConnection((UpstreamHandshakeHandler.Ready) f.getNow(), this);
                if (!p.trySuccess(c)) {
                    release(c); // the session went away meanwhile
                }
            } else {
                open--;
                budget.open--;
                p.tryFailure(f.cause());
                serveWaiter();
                unlistIfEmpty();
            }
        });
    }

    /** Back from a session whose transaction ended cleanly. Call on this pool's event loop. */
    void release(ServerConnection c) {
        if (!c.isUsable()) {
            discard(c);
            return;
        }
        Promise<ServerConnection> w;
        while ((w = waiters.poll()) != null) {
            if (w.trySuccess(c)) {
                return;
            }
        }
        if (closed || budget.closed) {
            forget(c);
            c.terminate();
            return;
        }
        if (budget.waiting(this) != null) {
            // a sibling's sessions wait for room in the budget: this connection's parameters are not theirs
            forget(c);
            c.terminate();
            serveWaiter();
            unlistIfEmpty();
            return;
        }
        c.detach();
        c.idleSinceNanos = System.nanoTime();
        idle.addFirst(c);
        if (sweeper == null) {
            long period = Math.max(TimeUnit.SECONDS.toNanos(1), target.pool().idleTimeout().toNanos() / 4);
            sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** A connection that closed or cannot be reused (a session left mid-transaction). */
    void discard(ServerConnection c) {
        idle.remove(c);
        forget(c);
        c.terminate();
        serveWaiter();
        unlistIfEmpty();
    }

    /** Counts a connection out, once. */
    private void forget(ServerConnection c) {
        if (c.counted) {
            c.counted = false;
            open--;
            budget.open--;
        }
    }

    /** Room was freed in the budget: it goes to a session waiting here, else in a sibling. */
    private void serveWaiter() {
        UpstreamPool p = waiters.isEmpty() ? budget.waiting(this) : this;
        if (p != null && budget.open < budget.limit && !p.closed && !budget.closed) {
            p.connect(p.waiters.poll());
        }
    }

    private void sweep() {
        long cutoff = System.nanoTime() - target.pool().idleTimeout().toNanos();
        while (!idle.isEmpty() && idle.peekLast().idleSinceNanos - cutoff < 0) {
            ServerConnection c = idle.pollLast();
            forget(c);
            log.debug("{}: closing pooled upstream connection idle for longer than {}", c.channel, target.pool().idleTimeout());
            c.terminate();
        }
        unlistIfEmpty();
    }

    /** Closes idle connections and refuses new sessions; busy ones close when their session releases them. */
    void close() {
        loop.execute(() -> {
            closed = true;
            if (sweeper != null) {
                sweeper.cancel(false);
            }
            ServerConnection c;
            while ((c = idle.poll()) != null) {
                forget(c);
                c.terminate();
            }
            Promise<ServerConnection> w;
            while ((w = waiters.poll()) != null) {
                w.tryFailure(new IllegalStateException("listener is shutting down"));
            }
        });
    }

    /** Open connections (busy and idle); for tests and metrics, read on the pool's loop. */
    int open() {
        return open;
    }

    int idle() {
        return idle.size();
    }
}
