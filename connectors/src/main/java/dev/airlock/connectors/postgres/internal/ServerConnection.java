package dev.airlock.connectors.postgres.internal;

import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.NoticeResponse;
import dev.airlock.connectors.postgres.message.ParameterStatus;
import dev.airlock.connectors.postgres.message.Query;
import dev.airlock.connectors.postgres.message.Terminate;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** The {@link TrackedParameters} as this connection has them, by canonical name (pooled connections only). */
    private final Map<String, String> applied = new HashMap<>();
    /** See {@link #resetBeforeReuse}. */
    private boolean needsReset;
    /** The tracked parameters of the session it serves, updated when that session changes one itself. */
    private Map<String, String> ownerWants;
    private boolean syncing;
    /**
     * The server-side names of the sessions' named statements prepared here (pooled connections), least recently
     * used first; at most {@link #MAX_PREPARED}, as pgbouncer's {@code max_prepared_statements}.
     */
    private final LinkedHashMap<String, Boolean> prepared = new LinkedHashMap<>(16, 0.75f, true);
    static final int MAX_PREPARED = 200;
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
        attach(o, null);
    }

    /**
     * @param wants the session's tracked parameters, or {@code null}: when the session sets one of them itself
     *              (the server reports it), both this connection's and the session's record of it follow
     */
    void attach(Owner o, Map<String, String> wants) {
        owner = o;
        ownerWants = wants;
        channel.read();
    }

    /** Whether the statement is prepared here (and marks it recently used). */
    boolean isPrepared(String serverName) {
        return prepared.get(serverName) != null;
    }

    /** Records a statement as prepared here; returns the least recently used one to close, when over the limit. */
    String markPrepared(String serverName) {
        prepared.put(serverName, Boolean.TRUE);
        if (prepared.size() <= MAX_PREPARED) {
            return null;
        }
        String eldest = prepared.keySet().iterator().next();
        prepared.remove(eldest);
        return eldest;
    }

    /** The statement is not (or may not be) prepared here after all. */
    void forgetPrepared(String serverName) {
        prepared.remove(serverName);
    }

    /** A session ran DEALLOCATE or DISCARD: any of them may be gone. */
    void forgetAllPrepared() {
        prepared.clear();
    }

    /** A session ran DISCARD ALL: the tracked parameters may be back at the server's defaults, reported or not. */
    void forgetParameters() {
        applied.clear();
    }

    /**
     * A session may have left state here that outlives its transaction (SET, SET ROLE, LISTEN, temporary tables,
     * advisory locks, WITH HOLD cursors, SQL-level PREPARE): the next {@link #sync} runs DISCARD ALL first.
     */
    void resetBeforeReuse() {
        needsReset = true;
    }

    /** Stops relaying to the current owner; the connection keeps reading so a server going away is noticed. */
    void detach() {
        owner = null;
        ownerWants = null;
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

    /**
     * Brings the tracked parameters to what a session wants, on an idle connection: one simple query, its
     * answers consumed here, preceded by a DISCARD ALL when the last session left state behind
     * ({@link #resetBeforeReuse}). Completes with this connection; fails with {@link ParameterRejected} when the server
     * refuses a value (the connection is then unchanged, or reset, and still usable), or with an I/O error, a timeout
     * or a refused DISCARD ALL (the connection is then closed).
     */
    Future<ServerConnection> sync(Map<String, String> wants, Duration timeout) {
        boolean reset = needsReset;
        // the common case, once per transaction, builds no SQL; after DISCARD ALL every wanted value is set again
        String sql = reset ? TrackedParameters.syncSql(Map.of(), wants)
                : applied.equals(wants) ? null : TrackedParameters.syncSql(applied, wants);
        if (sql == null && !reset) {
            return channel.eventLoop().newSucceededFuture(this);
        }
        Promise<ServerConnection> done = channel.eventLoop().newPromise();
        Map<String, String> target = Map.copyOf(wants);
        syncing = true;
        Syncer syncer = new Syncer(done, target, reset, (reset ? 1 : 0) + (sql == null ? 0 : 1));
        syncer.timer = channel.eventLoop().schedule(() -> syncer.fail(new TimeoutException(
                "upstream did not answer the parameter change in " + timeout.toMillis() + " ms")),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        attach(syncer);
        ByteBuf q = channel.alloc().buffer();
        if (reset) {
            // its own Query: DISCARD ALL cannot run inside the implicit transaction of a multi-statement one
            new Query("DISCARD ALL").encode(q);
        }
        if (sql != null) {
            new Query(sql).encode(q);
        }
        channel.writeAndFlush(q, channel.voidPromise());
        return done;
    }

    /** The server refused a session's value of a tracked parameter. */
    static final class ParameterRejected extends Exception {
        final String sqlState;

        ParameterRejected(String sqlState, String message) {
            super(message, null, false, false);
            this.sqlState = sqlState;
        }
    }

    /** The owner while {@link #sync} runs: consumes the answers up to ReadyForQuery. */
    private final class Syncer implements Owner {
        private final Promise<ServerConnection> done;
        private final Map<String, String> target;
        private final boolean reset;
        /** The queries sent (DISCARD ALL when resetting, then the parameter change, if any), and those answered. */
        private final int queries;
        private int answered;
        private ErrorResponse error;
        private ErrorResponse resetError;
        ScheduledFuture<?> timer;

        Syncer(Promise<ServerConnection> done, Map<String, String> target, boolean reset, int queries) {
            this.done = done;
            this.target = target;
            this.reset = reset;
            this.queries = queries;
        }

        @Override
        public void serverFrame(ByteBuf frame) {
            try {
                byte type = frame.getByte(frame.readerIndex());
                if (type == 'E') {
                    ErrorResponse e = (ErrorResponse) BackendType.ERROR_RESPONSE.decodeBody(frame);
                    if (reset && answered == 0) {
                        resetError = e;
                    } else {
                        error = e;
                    }
                } else if (type == 'Z' && ++answered == queries) {
                    finish();
                }
            } catch (RuntimeException e) {
                fail(e);
            } finally {
                frame.release();
            }
        }

        private void finish() {
            if (owner != this) {
                return;
            }
            timer.cancel(false);
            if (resetError != null) {
                // the connection's state is unknown: it must not serve anyone
                fail(new IOException("upstream refused DISCARD ALL: " + resetError.message()));
                return;
            }
            syncing = false;
            detach();
            if (reset) {
                needsReset = false;
                prepared.clear(); // DISCARD ALL deallocates every prepared statement
                applied.clear();
            }
            if (error == null) {
                applied.clear();
                applied.putAll(target);
                done.trySuccess(ServerConnection.this);
            } else {
                done.tryFailure(new ParameterRejected(error.sqlState(), error.message()));
            }
        }

        void fail(Throwable cause) {
            if (owner != this) {
                return;
            }
            timer.cancel(false);
            syncing = false;
            owner = null;
            closed = true;
            channel.close();
            done.tryFailure(cause);
        }

        @Override
        public void serverReadComplete() {
            if (owner == this) {
                channel.read();
            }
        }

        @Override
        public void serverWritabilityChanged() {
        }

        @Override
        public void serverInactive() {
            fail(new IOException("upstream closed the connection while its parameters were being set"));
        }

        @Override
        public void serverException(Throwable cause) {
            fail(cause);
        }
    }

    private void track(ByteBuf frame) {
        if (frame.getByte(frame.readerIndex()) == 'S') {
            try {
                ParameterStatus p = (ParameterStatus) BackendType.PARAMETER_STATUS.decodeBody(frame);
                parameters.put(p.name(), p);
                String tracked = TrackedParameters.canonical(p.name());
                if (tracked != null && !syncing && ownerWants != null) {
                    // the session set it itself (SET, RESET, DISCARD): it now has this value wherever it runs next
                    applied.put(tracked, p.value());
                    ownerWants.put(tracked, p.value());
                }
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
