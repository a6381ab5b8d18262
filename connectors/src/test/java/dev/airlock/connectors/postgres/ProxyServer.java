package dev.airlock.connectors.postgres;

import dev.airlock.connectors.spi.Gate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A PostgreSQL listener on an ephemeral loopback port for tests. */
final class ProxyServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel server;
    final PostgresPipelineConfigurator configurator;
    /** Every accepted client channel, weakly: a test can check that closed sessions are not kept. */
    final List<WeakReference<Channel>> accepted = new CopyOnWriteArrayList<>();

    ProxyServer(PostgresListenerConfig config, Gate gate) throws InterruptedException {
        this(config, gate, 2);
    }

    ProxyServer(PostgresListenerConfig config, Gate gate, int ioThreads) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        configurator = new PostgresPipelineConfigurator(config, gate);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object child) {
                        accepted.add(new WeakReference<>((Channel) child));
                        ctx.fireChannelRead(child);
                    }
                })
                .childHandler(configurator)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
