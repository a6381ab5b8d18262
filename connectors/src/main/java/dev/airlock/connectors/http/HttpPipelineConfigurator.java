package dev.airlock.connectors.http;

import dev.airlock.connectors.http.internal.HttpConnection;
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
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the pipeline of every agent connection accepted by one HTTP listener: [TLS] → HTTP/1.1 server codec
 * (strict: RFC 9112 transfer-encoding rules, so a request with both {@code Content-Length} and
 * {@code Transfer-Encoding} is refused) → idle timer → the connection handler. Use as the {@code childHandler}
 * of a {@code ServerBootstrap}; reading is turned off and driven by the handlers. {@link #close()} closes the
 * upstream pools and the DNS resolver.
 */
public final class HttpPipelineConfigurator extends ChannelInitializer<Channel> implements AutoCloseable {

    public static final String TLS = "http-tls";
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
        ch.config().setAutoRead(false);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()));
        if (config.sslContext() != null) {
            ch.pipeline().addLast(TLS, config.sslContext().newHandler(ch.alloc()));
        }
        ch.pipeline().addLast(CODEC, new HttpServerCodec(decoderConfig(config)));
        if (!config.idleTimeout().isZero()) {
            ch.pipeline().addLast(IDLE, new IdleStateHandler(0, 0, config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        }
        ch.pipeline().addLast(CONNECTION, new HttpConnection(context));
    }

    /** Strict HTTP/1.1 parsing: CRLF only, validated headers, RFC 9112 transfer-coding rules. */
    public static HttpDecoderConfig decoderConfig(HttpListenerConfig config) {
        return new HttpDecoderConfig().setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize()).setMaxChunkSize(config.maxChunkSize())
                .setValidateHeaders(true).setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    /** ALPN for listener TLS: HTTP/1.1 only (HTTP/2 is not served yet). */
    public static ApplicationProtocolConfig alpn() {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "http/1.1");
    }

    /** Agent connections open now. */
    public int activeConnections() {
        return context.connections();
    }

    /** {@code respond-async} requests held now. */
    public int asyncRequests() {
        return context.asyncRequests();
    }

    @Override
    public void close() {
        context.close();
        resolver.close();
    }
}
