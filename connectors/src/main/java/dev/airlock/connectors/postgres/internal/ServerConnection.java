package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.NoticeResponse;
import dev.airlock.connectors.postgres.message.ParameterStatus;
import dev.airlock.connectors.postgres.message.Terminate;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in upstream connection: its channel, its real cancel key and the server parameters it reported.
 * Owned by one agent session at a time ({@link Owner}); between owners it sits idle in an {@link UpstreamPool},
 * where asynchronous notices and notifications are dropped and anything else closes it.
 */
final class ServerConnection {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    static final String HANDLER = "pg-upstream-relay";

    /** Whoever currently relays this connection's frames. */
    interface Owner {
        /** A whole frame from the server; the owner releases it. */
        void serverFrame(ByteBuf frame);

        void serverReadComplete();

        void serverWritabilityChanged();

        void serverInactive();

        void serverException(Throwable cause);
    }

    final Channel channel;
    final int processId;
    final int secretKey;
    private final Map<String, ParameterStatus> parameters = new LinkedHashMap<>();
    private List<NoticeResponse> loginNotices;
    private final UpstreamPool pool;
    private Owner owner;
    private boolean closed;
    long idleSinceNanos;
    /** Still counted in its pool's open connections. */
    boolean counted = true;

    ServerConnection(UpstreamHandshakeHandler.Ready ready, UpstreamPool pool) {
        this.channel = ready.channel();
        this.processId = ready.processId();
        this.secretKey = ready.secretKey();
        ready.parameters().forEach(p -> parameters.put(p.name(), p));
        this.loginNotices = ready.notices();
        this.pool = pool;
        channel.pipeline().addLast(HANDLER, new Handler());
    }

    /** The pool it returns to, or {@code null} for a connection dedicated to one session. */
    UpstreamPool pool() {
        return pool;
    }

    /** The server's parameters as last reported (for a new agent session's login). */
    List<ParameterStatus> parameters() {
        return new ArrayList<>(parameters.values());
    }

    /** Notices of the login, handed to the first owner only. */
    List<NoticeResponse> takeLoginNotices() {
        List<NoticeResponse> n = loginNotices;
        loginNotices = List.of();
        return n;
    }

    void attach(Owner o) {
        owner = o;
        channel.read();
    }

    /** Stops relaying to the current owner; the connection keeps reading so a server going away is noticed. */
    void detach() {
        owner = null;
        if (!closed) {
            channel.read();
        }
    }

    boolean isUsable() {
        return !closed && channel.isActive();
    }

    /** Sends Terminate and closes. */
    void terminate() {
        if (closed) {
            return;
        }
        closed = true;
        owner = null;
        if (channel.isActive()) {
            ByteBuf buf = channel.alloc().buffer(5);
            Terminate.INSTANCE.encode(buf);
            channel.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    private void track(ByteBuf frame) {
        if (frame.getByte(frame.readerIndex()) == 'S') {
            try {
                ParameterStatus p = (ParameterStatus) BackendType.PARAMETER_STATUS.decodeBody(frame);
                parameters.put(p.name(), p);
            } catch (RuntimeException e) {
                log.debug("{}: malformed ParameterStatus", channel, e);
            }
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            track(frame);
            Owner o = owner;
            if (o != null) {
                o.serverFrame(frame);
                return;
            }
            byte type = frame.getByte(frame.readerIndex());
            frame.release();
            if (type != 'N' && type != 'A' && type != 'S') {
                // an error (e.g. the server shutting down) or anything unasked for: not reusable
                log.debug("{}: message type '{}' while idle; closing", channel, (char) type);
                closed = true;
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Owner o = owner;
            if (o != null) {
                o.serverReadComplete();
            } else if (!closed) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Owner o = owner;
            if (o != null) {
                o.serverWritabilityChanged();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            Owner o = owner;
            owner = null;
            if (o != null) {
                o.serverInactive();
            } else if (pool != null) {
                pool.discard(ServerConnection.this);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Owner o = owner;
            if (o != null) {
                o.serverException(cause);
            } else {
                log.debug("{}: idle upstream connection failed: {}", channel, cause.toString());
                closed = true;
                ctx.close();
            }
        }
    }
}
