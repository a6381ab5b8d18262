package dev.airlock.connectors.http;

import dev.airlock.connectors.spi.Gate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** An HTTP listener on an ephemeral loopback port for tests. */
final class HttpProxyServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;
    final HttpPipelineConfigurator configurator;

    HttpProxyServer(HttpListenerConfig config, Gate gate) throws InterruptedException {
        configurator = new HttpPipelineConfigurator(config, gate);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(configurator)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        configurator.close();
    }
}
