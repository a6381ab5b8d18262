package dev.airlock.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ConnectionCap} on a real listening socket: a server that greets each connection it accepts. */
class ConnectionCapTest {

    private EventLoopGroup group;
    private Channel server;
    private ConnectionCap cap;

    @BeforeEach
    void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        cap = new ConnectionCap("test", 2);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .handler(cap)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(Unpooled.copiedBuffer("hi\n", StandardCharsets.US_ASCII));
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void stopsAcceptingAtTheCapAndTakesTheWaitingOneWhenAConnectionCloses() throws Exception {
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try (Socket one = new Socket("127.0.0.1", port); Socket two = new Socket("127.0.0.1", port)) {
            assertThat(greeting(one, 5_000)).isEqualTo("hi");
            assertThat(greeting(two, 5_000)).isEqualTo("hi");
            try (Socket three = new Socket("127.0.0.1", port)) { // the kernel completes the handshake; Airlock waits
                assertThat(greeting(three, 500)).as("not accepted while two are open").isNull();
                assertThat(cap.open()).isEqualTo(2);
                assertThat(cap.pauses()).isEqualTo(1);
                one.close();
                assertThat(greeting(three, 5_000)).as("accepted once one closed").isEqualTo("hi");
            }
        }
    }

    /** The first line the server sent, or {@code null} if none came within {@code millis}. */
    private static String greeting(Socket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        InputStream in = s.getInputStream();
        try {
            byte[] b = in.readNBytes(3);
            return new String(b, StandardCharsets.US_ASCII).trim();
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
