package dev.airlock.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server (Netty) on an ephemeral loopback port for the HTTP connector's tests: it echoes what it
 * received, streams server-sent events on cue, counts streamed uploads, echoes WebSocket messages, can stay
 * silent, and records every request head it saw.
 *
 * <ul>
 *   <li>{@code * /echo/**}: {@code 200} JSON {@code {"method","uri","headers":{name:[values]},"body"}} (body as text)</li>
 *   <li>{@code GET /sse?n=N}: {@code text/event-stream}; event {@code i} is sent when {@link #sseGate} has been released
 *       {@code i} times (the first at once)</li>
 *   <li>{@code POST /upload}: reads the body as it streams, counts down {@link #uploadStarted} once {@code 64 KiB}
 *       arrived, answers {@code {"bytes": n, "sha256": "…"}}</li>
 *   <li>{@code GET /ws}: WebSocket echo (text and binary)</li>
 *   <li>{@code * /silent}: never answers</li>
 *   <li>{@code GET /big?bytes=N}: N bytes of {@code 'x'}, chunked</li>
 *   <li>anything else: {@code 404}</li>
 * </ul>
 */
public final class HttpUpstream implements AutoCloseable {

    /** A request head as the upstream saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    public final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    /** Release once per further server-sent event. */
    public final java.util.concurrent.Semaphore sseGate = new java.util.concurrent.Semaphore(0);
    /** Counted down when a {@code /upload} has delivered its first 64 KiB. */
    public volatile CountDownLatch uploadStarted = new CountDownLatch(1);
    public final AtomicInteger connections = new AtomicInteger();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel server;

    public HttpUpstream() throws InterruptedException {
        this(null);
    }

    public HttpUpstream(SslContext tls) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("codec", new HttpServerCodec()).addLast("app", new App());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The next request head seen, waiting up to 10 s. */
    public Seen next() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the upstream saw no request within 10 s");
        }
        return s;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class App extends SimpleChannelInboundHandler<Object> {
        private HttpRequest request;
        private String route;
        private ByteBuf body;
        private long uploaded;
        private MessageDigest sha;
        private WebSocketServerHandshaker ws;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof WebSocketFrame f) {
                frame(ctx, f);
                return;
            }
            if (msg instanceof HttpRequest r) {
                request = r;
                Map<String, List<String>> h = new LinkedHashMap<>();
                r.headers().forEach(e -> h.computeIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
                        .add(e.getValue()));
                seen.add(new Seen(r.method().name(), r.uri(), h));
                String path = new QueryStringDecoder(r.uri()).path();
                route = path.startsWith("/echo") ? "echo" : path.equals("/sse") ? "sse" : path.equals("/upload") ? "upload"
                        : path.equals("/ws") ? "ws" : path.equals("/silent") ? "silent" : path.equals("/big") ? "big" : "none";
                body = ctx.alloc().buffer();
                uploaded = 0;
                sha = sha256();
            }
            if (msg instanceof HttpContent c) {
                if (route.equals("upload")) {
                    uploaded += c.content().readableBytes();
                    sha.update(c.content().nioBuffer());
                    if (uploaded >= 64 << 10) {
                        uploadStarted.countDown();
                    }
                } else if (body.readableBytes() < 1 << 20) {
                    body.writeBytes(c.content());
                }
                if (c instanceof LastHttpContent) {
                    try {
                        respond(ctx);
                    } finally {
                        body.release();
                        body = null;
                    }
                }
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            HttpRequest r = request;
            boolean keepAlive = HttpUtil.isKeepAlive(r);
            switch (route) {
                case "echo" -> {
                    StringBuilder json = new StringBuilder("{\"method\":").append(q(r.method().name())).append(",\"uri\":")
                            .append(q(r.uri())).append(",\"headers\":{");
                    Map<String, List<String>> h = new LinkedHashMap<>();
                    r.headers().forEach(e -> h.computeIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
                            .add(e.getValue()));
                    boolean first = true;
                    for (Map.Entry<String, List<String>> e : h.entrySet()) {
                        json.append(first ? "" : ",").append(q(e.getKey())).append(":[");
                        for (int i = 0; i < e.getValue().size(); i++) {
                            json.append(i == 0 ? "" : ",").append(q(e.getValue().get(i)));
                        }
                        json.append(']');
                        first = false;
                    }
                    json.append("},\"body\":").append(q(body.toString(StandardCharsets.UTF_8))).append('}');
                    send(ctx, HttpResponseStatus.OK, "application/json", json.toString(), keepAlive);
                }
                case "upload" -> send(ctx, HttpResponseStatus.OK, "application/json",
                        "{\"bytes\":" + uploaded + ",\"sha256\":\"" + HexFormat.of().formatHex(sha.digest()) + "\"}", keepAlive);
                case "sse" -> sse(ctx, Integer.parseInt(param(r, "n", "3")));
                case "big" -> big(ctx, Long.parseLong(param(r, "bytes", "1000")), keepAlive);
                case "ws" -> {
                    WebSocketServerHandshakerFactory f = new WebSocketServerHandshakerFactory("ws://" + r.headers().get("host") + "/ws",
                            null, true);
                    ws = f.newHandshaker(r);
                    if (ws == null) {
                        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                    } else {
                        ws.handshake(ctx.channel(), new DefaultFullHttpRequest(r.protocolVersion(), r.method(), r.uri(),
                                Unpooled.EMPTY_BUFFER, r.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
                    }
                }
                case "silent" -> {
                    // never answers
                }
                default -> send(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "no such route\n", keepAlive);
            }
        }

        private void sse(ChannelHandlerContext ctx, int n) {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED).set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            ctx.writeAndFlush(head);
            Thread t = new Thread(() -> {
                try {
                    for (int i = 1; i <= n; i++) {
                        if (i > 1 && !sseGate.tryAcquire(20, TimeUnit.SECONDS)) {
                            break;
                        }
                        String ev = "id: " + i + "\ndata: event " + i + "\n\n";
                        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(ev, StandardCharsets.UTF_8)));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }, "upstream-sse");
            t.setDaemon(true);
            t.start();
        }

        private void big(ChannelHandlerContext ctx, long bytes, boolean keepAlive) {
            DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.write(head);
            byte[] chunk = new byte[16 << 10];
            java.util.Arrays.fill(chunk, (byte) 'x');
            for (long left = bytes; left > 0; left -= chunk.length) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk, 0, (int) Math.min(chunk.length, left))));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(keepAlive ? f -> { } : ChannelFutureListener.CLOSE);
        }

        private void frame(ChannelHandlerContext ctx, WebSocketFrame f) {
            if (f instanceof CloseWebSocketFrame c) {
                ws.close(ctx.channel(), c.retain());
            } else if (f instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(f.content().retain()));
            } else if (f instanceof TextWebSocketFrame t) {
                ctx.writeAndFlush(new TextWebSocketFrame("echo: " + t.text()));
            } else if (f instanceof BinaryWebSocketFrame b) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(b.content().retain()));
            }
        }

        private void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String text, boolean keepAlive) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(b));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, b.length)
                    .set("x-upstream", "test").set(HttpHeaderNames.CONNECTION, keepAlive ? "keep-alive, x-hop" : "close")
                    .set("x-hop", "must not reach the agent").set(HttpHeaderNames.KEEP_ALIVE, "timeout=5");
            ctx.writeAndFlush(resp).addListener(keepAlive ? f -> { } : ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (body != null) {
                body.release();
                body = null;
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String param(HttpRequest r, String name, String dflt) {
        List<String> v = new QueryStringDecoder(r.uri()).parameters().get(name);
        return v == null || v.isEmpty() ? dflt : v.get(0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
