package dev.airlock.connectors.postgres.internal;

import dev.airlock.config.Protocol;
import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.postgres.PostgresPipelineConfigurator;
import dev.airlock.connectors.postgres.message.AuthenticationCleartextPassword;
import dev.airlock.connectors.postgres.message.CancelRequest;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.FrontendType;
import dev.airlock.connectors.postgres.message.GSSENCRequest;
import dev.airlock.connectors.postgres.message.NegotiateProtocolVersion;
import dev.airlock.connectors.postgres.message.PasswordMessage;
import dev.airlock.connectors.postgres.message.SSLRequest;
import dev.airlock.connectors.postgres.message.StartupMessage;
import dev.airlock.connectors.postgres.message.TransactionStatus;
import dev.airlock.connectors.spi.ClientInfo;
import dev.airlock.connectors.spi.Credential;
import dev.airlock.connectors.spi.Gate;
import dev.airlock.connectors.spi.GateRejectedException;
import dev.airlock.connectors.spi.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of the handshake: TLS negotiation, StartupMessage, the token asked as a cleartext
 * password, the gate's authentication, then the upstream login. Replaces itself with the relay once the
 * agent has its ReadyForQuery. One deadline covers the whole handshake.
 */
public final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientHandshakeHandler.class);

    /** Largest password (token) frame accepted before authentication. */
    static final int MAX_PASSWORD_FRAME = 64 << 10;

    private enum HandshakeState { STARTUP, PASSWORD, AUTHENTICATING, CONNECTING_UPSTREAM, DONE }

    private final PostgresListenerConfig config;
    private final Gate gate;
    private final CancelRegistry cancels;
    private final UpstreamPools pools;

    private HandshakeState state = HandshakeState.STARTUP;
    private boolean tls;
    private StartupMessage startup;
    private Session session;
    private ProxyConnection connection;
    private ScheduledFuture<?> deadline;

    public ClientHandshakeHandler(PostgresListenerConfig config, Gate gate, CancelRegistry cancels, UpstreamPools pools) {
        this.config = config;
        this.gate = gate;
        this.cancels = cancels;
        this.pools = pools;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (deadline != null) {
            return;
        }
        deadline = ctx.executor().schedule(() -> {
            if (state != HandshakeState.DONE) {
                log.debug("{}: handshake timed out in {}", ctx.channel(), state);
                fail(ctx, PostgresError.STARTUP_TIMEOUT, "handshake timed out after " + config.startupTimeout().toMillis() + " ms");
            }
        }, config.startupTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SSLRequest) {
                onSslRequest(ctx);
            } else if (msg instanceof GSSENCRequest) {
                ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
                ctx.read();
            } else if (msg instanceof CancelRequest cancel) {
                onCancel(ctx, cancel);
            } else if (msg instanceof StartupMessage s) {
                onStartup(ctx, s);
            } else if (msg instanceof ByteBuf frame && state == HandshakeState.PASSWORD) {
                onPassword(ctx, frame);
            } else {
                fail(ctx, PostgresError.PROTOCOL_VIOLATION, "unexpected message during " + state.name().toLowerCase());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onSslRequest(ChannelHandlerContext ctx) {
        if (state != HandshakeState.STARTUP || tls) {
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, "unexpected SSLRequest");
            return;
        }
        if (config.sslContext() == null) {
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
        } else {
            ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('S'));
            ctx.pipeline().addFirst(PostgresPipelineConfigurator.TLS, config.sslContext().newHandler(ctx.alloc()));
            tls = true;
        }
        ctx.read();
    }

    private void onCancel(ChannelHandlerContext ctx, CancelRequest cancel) {
        ProxyConnection target = state == HandshakeState.STARTUP ? cancels.find(cancel.processId(), cancel.secretKey()) : null;
        if (target != null) {
            target.cancelRequested(ctx.channel().eventLoop());
        } else {
            log.debug("{}: cancel request for an unknown key", ctx.channel());
        }
        state = HandshakeState.DONE;
        ctx.close();
    }

    private void onStartup(ChannelHandlerContext ctx, StartupMessage s) {
        if (state != HandshakeState.STARTUP) {
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, "unexpected StartupMessage");
            return;
        }
        if (s.majorVersion() != 3) {
            fail(ctx, PostgresError.UNSUPPORTED_PROTOCOL, "unsupported frontend protocol " + s.majorVersion() + "."
                    + s.minorVersion() + ": server supports 3.0 to 3.0");
            return;
        }
        if (!tls && !(config.allowPlaintextOnLoopback() && isLoopback(ctx.channel()))) {
            fail(ctx, PostgresError.TLS_REQUIRED, "Airlock requires TLS: connect with sslmode=require",
                    "The password is an access token and is never accepted over an unencrypted connection.");
            return;
        }
        String user = s.parameters().get("user");
        if (user == null || user.isEmpty()) {
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, "no PostgreSQL user name specified in startup packet");
            return;
        }
        startup = s;
        ByteBuf out = ctx.alloc().buffer();
        List<String> unsupported = new ArrayList<>();
        s.parameters().keySet().stream().filter(k -> k.startsWith("_pq_.")).forEach(unsupported::add);
        if (s.minorVersion() != 0 || !unsupported.isEmpty()) {
            new NegotiateProtocolVersion(0, unsupported).encode(out);
        }
        AuthenticationCleartextPassword.INSTANCE.encode(out);
        ctx.writeAndFlush(out);
        PgFrameDecoder frames = new PgFrameDecoder(config.maxFrameLength());
        frames.limit(Math.min(config.maxFrameLength(), MAX_PASSWORD_FRAME));
        ctx.pipeline().addAfter(PostgresPipelineConfigurator.STARTUP_DECODER, PostgresPipelineConfigurator.FRAME_DECODER, frames);
        ctx.pipeline().remove(PostgresPipelineConfigurator.STARTUP_DECODER);
        state = HandshakeState.PASSWORD;
        ctx.read();
    }

    private void onPassword(ChannelHandlerContext ctx, ByteBuf frame) {
        if (FrontendType.of(frame.getByte(frame.readerIndex())) != FrontendType.PASSWORD) {
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, String.format("expected password response, got message type 0x%02x",
                    frame.getByte(frame.readerIndex())));
            return;
        }
        String token = ((PasswordMessage) FrontendType.PASSWORD.decodeBody(frame)).asPassword();
        if (token == null || token.isEmpty()) {
            fail(ctx, PostgresError.AUTHENTICATION_FAILED, "empty or malformed password: send an access token as the password");
            return;
        }
        state = HandshakeState.AUTHENTICATING;
        Map<String, String> attributes = new LinkedHashMap<>(startup.parameters());
        attributes.remove("user");
        attributes.remove("database");
        String database = startup.parameters().getOrDefault("database", startup.parameters().get("user"));
        ClientInfo client = new ClientInfo(Protocol.POSTGRES, ctx.channel().remoteAddress(), tls,
                startup.parameters().get("user"), attributes);
        Channel ch = ctx.channel();
        gate.authenticate(new Credential(token), database, client).whenComplete((s, e) ->
                ch.eventLoop().execute(() -> onAuthenticated(ctx, s, e)));
    }

    private void onAuthenticated(ChannelHandlerContext ctx, Session s, Throwable error) {
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof GateRejectedException r) {
                fail(ctx, PostgresError.of(r.failure()), r.getMessage(), r.hint());
            } else {
                log.warn("{}: gate failed to authenticate", ctx.channel(), cause);
                fail(ctx, PostgresError.GATE_UNAVAILABLE, "Airlock could not verify the token; try again later");
            }
            return;
        }
        session = s;
        if (state != HandshakeState.AUTHENTICATING || !ctx.channel().isActive()) {
            gate.sessionClosed(s, "client gone during authentication");
            return;
        }
        state = HandshakeState.CONNECTING_UPSTREAM;
        Map<String, String> params = new LinkedHashMap<>();
        startup.parameters().forEach((k, v) -> {
            if (!k.equals("user") && !k.equals("database") && !k.equals("options") && !k.equals("replication")
                    && !k.startsWith("_pq_.")) {
                params.put(k, v);
            }
        });
        Channel ch = ctx.channel();
        // pooled: the tracked parameters are applied to whichever connection serves the session, the rest key the pool
        TrackedParameters.Split split = s.upstream().pool() != null ? TrackedParameters.split(params)
                : new TrackedParameters.Split(params, Map.of());
        io.netty.util.concurrent.Future<?> upstream = s.upstream().pool() != null
                ? pools.pool(ch, s.upstream(), split.fixed(), config).acquire(split.tracked())
                : UpstreamHandshakeHandler.connect(ch.eventLoop(), ch.getClass(), s.upstream(), params, config);
        upstream.addListener(f -> {
            if (f.isSuccess()) {
                Object r = f.getNow();
                onUpstreamReady(ctx, r instanceof ServerConnection c ? c
                        : new ServerConnection((UpstreamHandshakeHandler.Ready) r, null), split.tracked());
            } else if (f.cause() instanceof ServerConnection.ParameterRejected r) {
                // as PostgreSQL itself refuses a startup packet with such a value
                fail(ctx, r.sqlState, r.getMessage(), null);
            } else {
                log.debug("{}: upstream {} failed", ctx.channel(), s.upstream(), f.cause());
                fail(ctx, PostgresError.UPSTREAM_UNAVAILABLE, "upstream of connection '" + s.connection().name()
                        + "' unavailable: " + f.cause().getMessage());
            }
        });
    }

    private void onUpstreamReady(ChannelHandlerContext ctx, ServerConnection server, Map<String, String> tracked) {
        if (state != HandshakeState.CONNECTING_UPSTREAM || !ctx.channel().isActive()) {
            if (server.pool() != null) {
                server.pool().release(server);
            } else {
                server.terminate();
            }
            return;
        }
        state = HandshakeState.DONE;
        deadline.cancel(false);
        // a pooled connection is handed out idle; a new one reports its own status
        connection = new ProxyConnection(ctx.channel(), server, TransactionStatus.IDLE, gate, session, cancels, config,
                tracked);
        session = null; // owned by the connection from now on
        connection.start(ctx);
    }

    private void fail(ChannelHandlerContext ctx, PostgresError error, String message) {
        fail(ctx, error, message, null);
    }

    private void fail(ChannelHandlerContext ctx, PostgresError error, String message, String hint) {
        fail(ctx, error.sqlState(), message, hint);
    }

    private void fail(ChannelHandlerContext ctx, String sqlState, String message, String hint) {
        state = HandshakeState.DONE;
        if (deadline != null) {
            deadline.cancel(false);
        }
        Channels.closeOnFlush(ctx.channel(), ErrorResponse.fatal(sqlState, message, null, hint));
        closeSession("handshake failed: " + message);
    }

    private void closeSession(String reason) {
        if (session != null) {
            Session s = session;
            session = null;
            gate.sessionClosed(s, reason);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != HandshakeState.DONE) {
            state = HandshakeState.DONE;
            if (deadline != null) {
                deadline.cancel(false);
            }
            closeSession("client disconnected during handshake");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Channels.isExpected(cause)) {
            log.debug("{}: {}", ctx.channel(), cause.toString());
            ctx.close();
        } else if (cause instanceof TooLongFrameException || cause instanceof DecoderException) {
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, "invalid startup: " + rootMessage(cause));
        } else {
            log.warn("{}: handshake failed", ctx.channel(), cause);
            fail(ctx, PostgresError.PROTOCOL_VIOLATION, "invalid startup");
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getMessage() == null) {
            c = c.getCause();
        }
        if (c instanceof DecoderException && c.getCause() != null) {
            c = c.getCause();
        }
        return String.valueOf(c.getMessage());
    }

    private static boolean isLoopback(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }
}
