package dev.airlock.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import dev.airlock.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadTimer} with its {@link HeadTimer.Responder} in the shape the admin listener uses (timer, codec, idle
 * handler, aggregator, responder), over real sockets.
 */
class HeadTimerTest {

    private EventLoopGroup group;
    private Channel server;
    private int port;

    @BeforeEach
    void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HeadTimer(Duration.ofMillis(300)))
                                .addLast(new HttpServerCodec())
                                .addLast(new IdleStateHandler(0, 0, 1, TimeUnit.SECONDS))
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(1 << 16))
                                .addLast(new HeadTimer.Responder())
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                                Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                                        HttpUtil.setContentLength(r, 2);
                                        HttpUtil.setKeepAlive(r, HttpUtil.isKeepAlive(req));
                                        ctx.writeAndFlush(r);
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void answers408ToARequestThatTricklesIn() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) { // one body byte every 50 ms: whole after 5 s
                        Thread.sleep(50);
                        out.write('x');
                    }
                } catch (IOException | InterruptedException e) {
                    // closed: expected
                }
            });
            trickle.start();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            assertThat(answer).startsWith("http/1.1 408").contains("connection: close")
                    .contains("urn:airlock:problem:request-timeout").contains("the request did not arrive whole within 300 ms");
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(4_000);
            trickle.interrupt();
            trickle.join();
        }
    }

    @Test
    void servesKeepAliveRequestsAndClosesAConnectionLeftIdle() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            for (int i = 0; i < 2; i++) {
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponse(in)).startsWith("http/1.1 200").endsWith("ok");
                Thread.sleep(500); // longer than the head timeout: between requests it does not run
            }
            long idleFrom = System.nanoTime();
            assertThat(in.read()).as("closed by the idle timeout").isEqualTo(-1);
            assertThat((System.nanoTime() - idleFrom) / 1_000_000).isLessThan(5_000);
        }
    }

    @Test
    void closesAConnectionThatNeverSendsAByte() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().readAllBytes()).isEmpty();
        }
    }

    /** One response with a 2-byte body, its head in lower case. */
    private static String readResponse(InputStream in) throws IOException {
        return RawHttp.readHead(in) + new String(in.readNBytes(2), StandardCharsets.US_ASCII);
    }
}
