package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HttpRoute;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Keep-alive connections to one route's upstream, one Netty {@link SimpleChannelPool} per event loop: an agent
 * connection only ever borrows upstream channels of its own event loop, so both sides of an exchange run on
 * one thread. Idle channels keep a read pending, so an upstream that closes them is noticed at once and the
 * pool's health check drops them; at most {@link HttpRoute#maxIdleConnections()} idle channels are kept per loop.
 */
public final class UpstreamPool implements AutoCloseable {

    /** Pipeline names on upstream channels. */
    public static final String TLS = "upstream-tls";
    public static final String CODEC = "upstream-codec";
    public static final String IDLE = "upstream-idle";
    public static final String HANDLER = "upstream-handler";

    /** Idle pooled connections are closed after this long. */
    static final long IDLE_SECONDS = 60;

    private final HttpRoute route;
    private final AddressResolverGroup<? extends SocketAddress> resolver;
    private final Map<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();

    public UpstreamPool(HttpRoute route, AddressResolverGroup<? extends SocketAddress> resolver) {
        this.route = route;
        this.resolver = resolver;
    }

    public HttpRoute route() {
        return route;
    }

    /** A healthy idle channel of {@code like}'s event loop, or a new connection; completes on that loop. */
    public Future<Channel> acquire(Channel like) {
        EventLoop loop = like.eventLoop();
        return pools.computeIfAbsent(loop, l -> new LoopPool(bootstrap(like))).acquire();
    }

    /** Returns a channel whose last exchange ended cleanly (response read to its end, request fully sent). */
    public void release(Channel ch) {
        LoopPool p = pools.get(ch.eventLoop());
        if (p == null || !ch.isActive()) {
            ch.close();
            return;
        }
        p.release(ch);
    }

    /** A new connection outside the pool (a WebSocket upgrade never goes back into it). */
    public Future<Channel> connect(Channel like) {
        io.netty.util.concurrent.Promise<Channel> p = like.eventLoop().newPromise();
        bootstrap(like).handler(new io.netty.channel.ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                setUp(ch);
            }
        }).connect().addListener((io.netty.channel.ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                p.setSuccess(f.channel());
            } else {
                p.setFailure(f.cause());
            }
        });
        return p;
    }

    private Bootstrap bootstrap(Channel like) {
        return new Bootstrap().group(like.eventLoop())
                .channelFactory(new ReflectiveChannelFactory<>(socketClass(like)))
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, route.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .remoteAddress(InetSocketAddress.createUnresolved(route.upstream().getHost(), route.upstreamPort()));
    }

    /** The agent's socket type (NIO, epoll, …); an HTTP/2 stream's is its connection's. */
    @SuppressWarnings("unchecked")
    private static Class<? extends Channel> socketClass(Channel like) {
        Channel socket = like instanceof Http2StreamChannel s ? s.parent() : like;
        return (Class<? extends Channel>) socket.getClass();
    }

    /** Upstream pipeline: [TLS] → HTTP client codec → idle timer → {@link UpstreamHandler}. */
    void setUp(Channel ch) {
        if (route.upstreamSsl() != null) {
            SslHandler tls = route.upstreamSsl().newHandler(ch.alloc(), route.upstream().getHost(), route.upstreamPort());
            tls.setHandshakeTimeoutMillis(route.connectTimeout().toMillis());
            if (route.verifyHostname()) {
                SSLEngine engine = tls.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            ch.pipeline().addLast(TLS, tls);
        }
        ch.pipeline().addLast(CODEC, new HttpClientCodec(8 << 10, 64 << 10, 64 << 10, true))
                .addLast(IDLE, new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(HANDLER, new UpstreamHandler());
    }

    @Override
    public void close() {
        pools.values().forEach(SimpleChannelPool::close);
        pools.clear();
    }

    /** The pool of one event loop, with a bound on idle channels. */
    private final class LoopPool extends SimpleChannelPool {
        private int idle;

        LoopPool(Bootstrap b) {
            super(b, new ChannelPoolHandler() {
                @Override
                public void channelReleased(Channel ch) {
                    UpstreamHandler.of(ch).idle();
                    ch.read(); // notice an upstream close while idle
                }

                @Override
                public void channelAcquired(Channel ch) {
                    // the exchange attaches itself
                }

                @Override
                public void channelCreated(Channel ch) {
                    setUp(ch);
                }
            }, ChannelHealthChecker.ACTIVE, true, true);
        }

        @Override
        protected Channel pollChannel() {
            Channel ch = super.pollChannel();
            if (ch != null) {
                idle--;
            }
            return ch;
        }

        @Override
        protected boolean offerChannel(Channel channel) {
            if (idle >= route.maxIdleConnections()) {
                return false; // the pool closes it
            }
            idle++;
            return super.offerChannel(channel);
        }
    }
}
