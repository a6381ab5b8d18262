package dev.airlock.connectors.http;

import dev.airlock.connectors.http.internal.Http2Connections;
import dev.airlock.connectors.http.internal.HttpConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.airlock.connectors.http.internal.ListenerContext;
import dev.airlock.connectors.spi.Gate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the pipeline of every agent connection accepted by one HTTP listener: [TLS] → HTTP/1.1 server codec
 * (strict: RFC 9112 transfer-encoding rules, so a request with both {@code Content-Length} and
 * {@code Transfer-Encoding} is refused) → idle timer → the connection handler. Use as the {@code childHandler}
 * of a {@code ServerBootstrap}; reading is turned off and driven by the handlers. {@link #close()} closes the
 * upstream pools and the DNS resolver.
 *
 * <p>With HTTP/2 on ({@link HttpListenerConfig#http2()}), a TLS connection that chose {@code h2} by ALPN, or a
 * clear-text one that opens with the HTTP/2 connection preface (prior knowledge, RFC 9113 §3.3), is served by
 * {@link Http2Connections} instead. The {@code Upgrade: h2c} dance of HTTP/1.1 is not offered (RFC 9113 deprecates
 * it): such a request is answered in HTTP/1.1.
 */
public final class HttpPipelineConfigurator extends ChannelInitializer<Channel> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpPipelineConfigurator.class);

    public static final String TLS = "http-tls";
    public static final String HEAD_TIMER = "http-head-timer";
    public static final String PROTOCOL = "http-protocol";
    public static final String CODEC = "http-codec";
    public static final String IDLE = "http-idle";
    public static final String CONNECTION = "http-connection";

    private final HttpListenerConfig config;
    private final ListenerContext context;
    private final AddressResolverGroup<? extends SocketAddress> resolver;

    public HttpPipelineConfigurator(HttpListenerConfig config, Gate gate) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(gate, "gate");
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(NioDatagramChannel.class));
        this.context = new ListenerContext(config, gate, resolver);
    }

    @Override
    protected void initChannel(Channel ch) {
        context.register(ch);
        ch.config().setAutoRead(false);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()));
        ChannelPipeline p = ch.pipeline();
        if (config.sslContext() != null) {
            p.addLast(TLS, config.sslContext().newHandler(ch.alloc()));
        }
        if (!config.headerTimeout().isZero()) {
            p.addLast(HEAD_TIMER, new HeadTimer(config.headerTimeout()));
        }
        if (config.http2()) {
            p.addLast(PROTOCOL, config.sslContext() != null ? new Alpn() : new PriorKnowledge());
            return;
        }
        http1(p);
    }

    private void http1(ChannelPipeline p) {
        p.addLast(CODEC, new HttpServerCodec(decoderConfig(config)));
        if (!config.idleTimeout().isZero()) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        }
        p.addLast(CONNECTION, new HttpConnection(context));
    }

    /** After the TLS handshake: HTTP/2 when the agent chose {@code h2}, else HTTP/1.1. */
    private final class Alpn extends ApplicationProtocolNegotiationHandler {
        Alpn() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            super.handlerAdded(ctx);
            if (ctx.channel().isActive()) {
                ctx.read(); // the ClientHello: reading is off, and the TLS handler reads on by itself only once started
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx);
            ctx.read();
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2Connections.configure(ctx.pipeline(), context, true);
            } else {
                http1(ctx.pipeline());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!closedOnHeadTimeout(ctx, evt, "TLS handshake and protocol choice")) {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: TLS handshake failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    /**
     * In clear text (loopback agents only): HTTP/2 when the connection opens with the 24-byte preface, HTTP/1.1 as
     * soon as a byte differs. The bytes read meanwhile go on to the chosen protocol's decoder.
     */
    private final class PriorKnowledge extends ByteToMessageDecoder {
        private boolean started;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            super.channelActive(ctx);
            start(ctx);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                start(ctx);
            }
        }

        private void start(ChannelHandlerContext ctx) {
            if (started) {
                return;
            }
            started = true;
            if (!HttpConnection.isLoopback(ctx.channel())) {
                log.warn("{}: plain-HTTP connection from a non-loopback address refused", ctx.channel());
                ctx.close();
                return;
            }
            ctx.read();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!closedOnHeadTimeout(ctx, evt, "an HTTP/2 preface or HTTP/1.1 request")) {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
            try {
                int n = Math.min(in.readableBytes(), preface.readableBytes());
                boolean same = ByteBufUtil.equals(in, in.readerIndex(), preface, 0, n);
                if (same && n < preface.readableBytes()) {
                    return; // not decided yet: the decoder asks for more
                }
                if (same) {
                    Http2Connections.configure(ctx.pipeline(), context, false);
                } else {
                    http1(ctx.pipeline());
                }
                ctx.pipeline().remove(this); // hands the bytes read so far to what comes next
            } finally {
                preface.release();
            }
        }
    }

    /** Before the HTTP version is known, an expired head timeout closes the connection: nothing can answer it yet. */
    private boolean closedOnHeadTimeout(ChannelHandlerContext ctx, Object evt, String awaited) {
        if (evt != HeadTimer.EXPIRED) {
            return false;
        }
        log.debug("{}: no {} within {}; closing", ctx.channel(), awaited, config.headerTimeout());
        context.headTimedOut();
        ctx.close();
        return true;
    }

    /** Strict HTTP/1.1 parsing: CRLF only, validated headers, RFC 9112 transfer-coding rules. */
    public static HttpDecoderConfig decoderConfig(HttpListenerConfig config) {
        return new HttpDecoderConfig().setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize()).setMaxChunkSize(config.maxChunkSize())
                .setValidateHeaders(true).setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    /** ALPN for listener TLS: {@code h2} first when HTTP/2 is on, then {@code http/1.1}. */
    public static ApplicationProtocolConfig alpn(boolean http2) {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                http2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                        : List.of(ApplicationProtocolNames.HTTP_1_1));
    }

    /**
     * Graceful shutdown (after the listening socket closed): idle agent connections close now, busy ones once their
     * requests are answered; {@link #activeConnections()} tells when they all have.
     */
    public void shutdown() {
        context.shutdown();
    }

    /** Agent connections open now. */
    public int activeConnections() {
        return context.connections();
    }

    /** {@code respond-async} requests held now. */
    /** Agent connections closed so far because a request head (or, before it, the TLS handshake) was overdue. */
    public long headTimeouts() {
        return context.headTimeouts();
    }

    public int asyncRequests() {
        return context.asyncRequests();
    }

    @Override
    public void close() {
        context.close();
        resolver.close();
    }
}
