package dev.airlock.connectors.postgres.internal;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.util.TlsServerEndpoint;
import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.postgres.message.Authentication;
import dev.airlock.connectors.postgres.message.AuthenticationCleartextPassword;
import dev.airlock.connectors.postgres.message.AuthenticationMD5Password;
import dev.airlock.connectors.postgres.message.AuthenticationOk;
import dev.airlock.connectors.postgres.message.AuthenticationSASL;
import dev.airlock.connectors.postgres.message.AuthenticationSASLContinue;
import dev.airlock.connectors.postgres.message.AuthenticationSASLFinal;
import dev.airlock.connectors.postgres.message.BackendKeyData;
import dev.airlock.connectors.postgres.message.BackendMessage;
import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.FrontendMessage;
import dev.airlock.connectors.postgres.message.NoticeResponse;
import dev.airlock.connectors.postgres.message.ParameterStatus;
import dev.airlock.connectors.postgres.message.PasswordMessage;
import dev.airlock.connectors.postgres.message.ReadyForQuery;
import dev.airlock.connectors.postgres.message.SSLRequest;
import dev.airlock.connectors.postgres.message.StartupMessage;
import dev.airlock.connectors.postgres.message.TransactionStatus;
import dev.airlock.connectors.spi.UpstreamTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Logs in to the real server with the credentials only Airlock holds (trust, cleartext, md5 or
 * SCRAM-SHA-256), optionally over TLS, and collects ParameterStatus and BackendKeyData until the first
 * ReadyForQuery. Removes itself when done.
 */
final class UpstreamHandshakeHandler extends ChannelInboundHandlerAdapter {

    static final String TLS = "pg-upstream-tls";
    static final String TLS_NEGOTIATOR = "pg-upstream-tls-negotiator";
    static final String FRAME_DECODER = "pg-upstream-frame-decoder";
    static final String HANDSHAKE = "pg-upstream-handshake";

    /** The logged-in upstream session. */
    record Ready(Channel channel, List<ParameterStatus> parameters, List<NoticeResponse> notices, int processId,
                 int secretKey, TransactionStatus status, boolean channelBound) {
    }

    private final UpstreamTarget target;
    private final Map<String, String> clientParameters;
    private final Promise<Ready> promise;
    private final List<ParameterStatus> parameters = new ArrayList<>();
    private final List<NoticeResponse> notices = new ArrayList<>();
    private ScramClient scram;
    private BackendKeyData key;

    private UpstreamHandshakeHandler(UpstreamTarget target, Map<String, String> clientParameters, Promise<Ready> promise) {
        this.target = target;
        this.clientParameters = clientParameters;
        this.promise = promise;
    }

    /**
     * Connects on {@code loop} (the agent channel's, so both sides of the relay share a thread) with the agent
     * channel's transport type.
     */
    static Future<Ready> connect(EventLoop loop, Class<? extends Channel> channelType, UpstreamTarget target,
                                 Map<String, String> clientParameters, PostgresListenerConfig config) {
        Promise<Ready> promise = loop.newPromise();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(new ReflectiveChannelFactory<>(channelType))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.upstreamConnectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) throws SSLException {
                        if (target.tls() != UpstreamTarget.TlsMode.DISABLE) {
                            ch.pipeline().addLast(TLS_NEGOTIATOR, new TlsNegotiator(target, promise));
                        }
                        ch.pipeline().addLast(FRAME_DECODER, new PgFrameDecoder(config.maxUpstreamFrameLength()));
                        ch.pipeline().addLast(HANDSHAKE, new UpstreamHandshakeHandler(target, clientParameters, promise));
                    }
                });
        ChannelFuture cf = b.connect(target.host(), target.port());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            }
        });
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                cf.channel().close();
            }
        });
        io.netty.util.concurrent.Future<?> timeout = loop.schedule(() -> promise.tryFailure(
                new java.util.concurrent.TimeoutException("upstream login took longer than "
                        + config.startupTimeout().toMillis() + " ms")),
                config.startupTimeout().toNanos(), TimeUnit.NANOSECONDS);
        promise.addListener(f -> timeout.cancel(false));
        return promise;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (target.tls() == UpstreamTarget.TlsMode.DISABLE) {
            sendStartup(ctx);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (e.isSuccess()) {
                sendStartup(ctx);
            } else {
                promise.tryFailure(e.cause());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void sendStartup(ChannelHandlerContext ctx) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("user", target.user());
        if (target.database() != null) {
            p.put("database", target.database());
        }
        p.putAll(clientParameters);
        write(ctx, new StartupMessage(StartupMessage.PROTOCOL_3_0, p));
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            BackendType type = BackendType.ofFrame(frame);
            if (!type.decodable()) {
                throw new IllegalStateException("unexpected " + type + " during login");
            }
            BackendMessage m = type.decodeBody(frame);
            if (m instanceof Authentication a) {
                authenticate(ctx, a);
            } else if (m instanceof ParameterStatus s) {
                parameters.add(s);
            } else if (m instanceof BackendKeyData k) {
                key = k;
            } else if (m instanceof NoticeResponse n) {
                notices.add(n);
            } else if (m instanceof ErrorResponse e) {
                promise.tryFailure(new IllegalStateException(e.message() + " (SQLSTATE " + e.sqlState() + ")"));
                ctx.close();
                return;
            } else if (m instanceof ReadyForQuery r) {
                ctx.pipeline().remove(this);
                promise.trySuccess(new Ready(ctx.channel(), parameters, notices, key == null ? 0 : key.processId(),
                        key == null ? 0 : key.secretKey(), r.status(), channelBound()));
                return;
            }
            ctx.read();
        } catch (RuntimeException e) {
            promise.tryFailure(e);
            ctx.close();
        } finally {
            frame.release();
        }
    }

    private void authenticate(ChannelHandlerContext ctx, Authentication a) {
        if (a instanceof AuthenticationOk) {
            return;
        }
        if (target.password() == null) {
            throw new IllegalStateException("server asks for a password but none is configured for " + target);
        }
        if (a instanceof AuthenticationCleartextPassword) {
            write(ctx, PasswordMessage.password(target.password()));
        } else if (a instanceof AuthenticationMD5Password md5) {
            write(ctx, PasswordMessage.password(md5(target.user(), target.password(), md5.salt())));
        } else if (a instanceof AuthenticationSASL sasl) {
            if (!sasl.mechanisms().contains("SCRAM-SHA-256") && !sasl.mechanisms().contains("SCRAM-SHA-256-PLUS")) {
                throw new IllegalStateException("server offers SASL mechanisms " + sasl.mechanisms() + " (expected: SCRAM-SHA-256)");
            }
            List<String> offered = sasl.mechanisms().stream().filter(m -> m.startsWith("SCRAM-SHA-256")).toList();
            ScramClient.FinalBuildStage builder = ScramClient.builder()
                    .advertisedMechanisms(offered)
                    .username("*")
                    .password(target.password().toCharArray());
            X509Certificate serverCert = serverCertificate(ctx);
            if (serverCert != null) {
                // channel binding (tls-server-end-point): SCRAM-SHA-256-PLUS when the server offers it over TLS,
                // so a man in the middle holding another certificate cannot relay the exchange
                try {
                    builder.channelBinding(TlsServerEndpoint.TLS_SERVER_END_POINT, TlsServerEndpoint.getChannelBindingData(serverCert));
                } catch (CertificateEncodingException e) {
                    throw new IllegalStateException("server certificate: " + e.getMessage(), e);
                }
            }
            scram = builder.build();
            write(ctx, PasswordMessage.saslInitialResponse(scram.getScramMechanism().getName(),
                    scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8)));
        } else if (a instanceof AuthenticationSASLContinue c && scram != null) {
            try {
                scram.serverFirstMessage(new String(c.data(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException("SCRAM server-first-message: " + e.getMessage(), e);
            }
            write(ctx, new PasswordMessage(scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8)));
        } else if (a instanceof AuthenticationSASLFinal f && scram != null) {
            try {
                scram.serverFinalMessage(new String(f.data(), StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException("SCRAM server signature rejected: " + e.getMessage(), e);
            }
        } else {
            throw new IllegalStateException("unexpected authentication step " + a.getClass().getSimpleName());
        }
    }

    /** The server's leaf certificate when the connection is encrypted, else {@code null}. */
    private static X509Certificate serverCertificate(ChannelHandlerContext ctx) {
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** Whether the login used SCRAM with channel binding (for tests and logs). */
    boolean channelBound() {
        return scram != null && scram.getScramMechanism().isPlus();
    }

    static String md5(String user, String password, byte[] salt) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            HexFormat hex = HexFormat.of();
            String inner = hex.formatHex(md.digest((password + user).getBytes(StandardCharsets.UTF_8)));
            md.update(inner.getBytes(StandardCharsets.US_ASCII));
            md.update(salt);
            return "md5" + hex.formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(ChannelHandlerContext ctx, FrontendMessage m) {
        ByteBuf buf = ctx.alloc().buffer();
        m.encode(buf);
        ctx.writeAndFlush(buf);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        promise.tryFailure(new IllegalStateException("server closed the connection during login"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        promise.tryFailure(cause);
        ctx.close();
    }

    /** Sends SSLRequest and swaps itself for an SslHandler when the server answers 'S'. */
    private static final class TlsNegotiator extends ByteToMessageDecoder {
        private final UpstreamTarget target;
        private final Promise<Ready> promise;

        TlsNegotiator(UpstreamTarget target, Promise<Ready> promise) {
            this.target = target;
            this.promise = promise;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ByteBuf buf = ctx.alloc().buffer(8);
            SSLRequest.INSTANCE.encode(buf);
            ctx.writeAndFlush(buf);
            ctx.read();
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            byte answer = in.readByte();
            if (answer != 'S' || in.isReadable()) {
                in.skipBytes(in.readableBytes());
                promise.tryFailure(new SSLException("server " + target.host() + ':' + target.port()
                        + " refused TLS (answered '" + (char) answer + "' to SSLRequest)"));
                ctx.close();
                return;
            }
            ctx.pipeline().replace(this, TLS, context(target).newHandler(ctx.alloc(), target.host(), target.port()));
        }

        private static volatile SslContext require;
        private static volatile SslContext verifyFull;
        private static final Map<java.nio.file.Path, SslContext> WITH_ROOTS = new java.util.concurrent.ConcurrentHashMap<>();

        private static SslContext context(UpstreamTarget target) throws SSLException {
            if (target.tls() == UpstreamTarget.TlsMode.REQUIRE) {
                if (require == null) {
                    require = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                            .endpointIdentificationAlgorithm(null).build();
                }
                return require;
            }
            if (target.rootCertificates() != null) {
                try {
                    return WITH_ROOTS.computeIfAbsent(target.rootCertificates(), roots -> {
                        try {
                            return SslContextBuilder.forClient().trustManager(roots.toFile())
                                    .endpointIdentificationAlgorithm("HTTPS").build();
                        } catch (SSLException | IllegalArgumentException e) {
                            throw new IllegalStateException("root certificates " + roots + ": " + e.getMessage(), e);
                        }
                    });
                } catch (IllegalStateException e) {
                    throw new SSLException(e.getMessage(), e.getCause());
                }
            }
            if (verifyFull == null) {
                verifyFull = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
            }
            return verifyFull;
        }
    }

}
