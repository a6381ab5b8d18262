package dev.airlock.gateway.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener's connection cap ({@code limits.max_connections}), on its server channel: once that many agent
 * connections are open the listener stops accepting, so that a flood of connections cannot use up file descriptors,
 * memory and upstream connections; new ones wait in the kernel's accept queue (their TCP handshake is done, nothing is
 * read) and are taken as open ones close. Protocol-neutral, like HAProxy's {@code maxconn}: no error is invented for
 * a client Airlock has not read yet. The accept loop may take a few more in the read that reaches the cap.
 */
public final class ConnectionCap extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCap.class);

    private final String listener;
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong pauses = new AtomicLong();
    private volatile Channel server;

    public ConnectionCap(String listener, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
        }
        this.listener = listener;
        this.max = max;
    }

    /** Agent connections open now. */
    public int open() {
        return open.get();
    }

    /** How often the listener stopped accepting because it was full. */
    public long pauses() {
        return pauses.get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        server = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            int n = open.incrementAndGet();
            child.closeFuture().addListener(f -> closed());
            if (n >= max && ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(false);
                pauses.incrementAndGet();
                log.warn("listener {}: {} connections open (at most {}); new ones wait in the accept queue", listener, n, max);
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void closed() {
        Channel s = server;
        if (open.decrementAndGet() < max && s != null && !s.config().isAutoRead()) {
            s.eventLoop().execute(() -> {
                if (s.isOpen() && !s.config().isAutoRead() && open.get() < max) {
                    s.config().setAutoRead(true); // reads (accepts) again at once
                    log.info("listener {}: below its connection limit again ({} open); accepting", listener, open.get());
                }
            });
        }
    }
}
