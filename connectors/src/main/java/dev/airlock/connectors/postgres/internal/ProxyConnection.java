package dev.airlock.connectors.postgres.internal;

import dev.airlock.config.Protocol;
import dev.airlock.connectors.postgres.PostgresListenerConfig;
import dev.airlock.connectors.postgres.PostgresPipelineConfigurator;
import dev.airlock.connectors.postgres.message.AuthenticationOk;
import dev.airlock.connectors.postgres.message.BackendKeyData;
import dev.airlock.connectors.postgres.message.BackendType;
import dev.airlock.connectors.postgres.message.Bind;
import dev.airlock.connectors.postgres.message.CancelRequest;
import dev.airlock.connectors.postgres.message.Close;
import dev.airlock.connectors.postgres.message.Describe;
import dev.airlock.connectors.postgres.message.CommandComplete;
import dev.airlock.connectors.postgres.message.ErrorResponse;
import dev.airlock.connectors.postgres.message.Execute;
import dev.airlock.connectors.postgres.message.FrontendMessage;
import dev.airlock.connectors.postgres.message.FrontendType;
import dev.airlock.connectors.postgres.message.FunctionCall;
import dev.airlock.connectors.postgres.message.NoticeResponse;
import dev.airlock.connectors.postgres.message.Parse;
import dev.airlock.connectors.postgres.message.Query;
import dev.airlock.connectors.postgres.message.ReadyForQuery;
import dev.airlock.connectors.postgres.message.TransactionStatus;
import dev.airlock.connectors.spi.AwaitingApproval;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Failure;
import dev.airlock.connectors.spi.Gate;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Session;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.policy.Digests;
import dev.airlock.policy.sql.PreparedChange;
import dev.airlock.policy.sql.SqlAnalyzer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relayed session: the agent channel, the upstream connection (same event loop) and what lies between —
 * the gate's verdict for each command, the responses still owed by the server, the transaction status.
 *
 * <p>All state is touched on the shared event loop only. A command waiting for the gate parks the agent
 * side (no reads); frames already decoded wait in {@code backlog} in arrival order.
 *
 * <p>With a dedicated upstream (the default) the session holds its {@link ServerConnection} from login to the end.
 * With transaction pooling it takes one from its {@link UpstreamPool} when it first has something to send and gives
 * it back at the ReadyForQuery that leaves it idle with nothing owed. Named prepared statements then live under
 * server-side names of Airlock's ({@code airlock_} and a hash of the text and parameter types, shared by every
 * session that prepares the same statement), prepared again, before a Bind or Describe, on whichever connection
 * serves the session and lacks them — as pgbouncer does since 1.21; the agent's own Parse and Close of a statement
 * the connection already has are answered by Airlock in their place in the response stream.
 *
 * <p>A denial is answered by sending the server a statement that fails with SQLSTATE 42501 in place of the
 * agent's, so the server itself leaves the transaction failed and skips to Sync exactly as it would for a
 * real error; its ErrorResponse is swapped for Airlock's own on the way back.
 */
final class ProxyConnection {

    private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);

    /** Fails in the server with SQLSTATE 42501; its error is replaced by Airlock's own before the agent sees it. */
    static final String DENIAL_STATEMENT =
            "DO $airlock$BEGIN RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = 'denied by Airlock'; END$airlock$";

    /** What the server owes for a message sent to it. */
    enum Expect {
        PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, INJECTED_PARSE, INJECTED_BIND, INJECTED_EXECUTE,
        /** A pooled session's named statement prepared again on this connection: ParseComplete swallowed, errors relayed. */
        REPREPARE,
        /** Close of a server-side name before it is prepared again or evicted: CloseComplete swallowed. */
        INJECTED_CLOSE,
        /** Answered by Airlock (ParseComplete, CloseComplete) once everything before it has been answered. */
        SYNTHETIC_PARSE, SYNTHETIC_CLOSE,
        SYNC, QUERY, FUNCTION_CALL, INJECTED_QUERY;

        boolean extended() {
            return ordinal() <= SYNTHETIC_CLOSE.ordinal();
        }

        boolean synthetic() {
            return this == SYNTHETIC_PARSE || this == SYNTHETIC_CLOSE;
        }

        boolean injected() {
            return this == INJECTED_PARSE || this == INJECTED_BIND || this == INJECTED_EXECUTE || this == INJECTED_QUERY;
        }

        boolean endsAtReady() {
            return this == SYNC || this == QUERY || this == FUNCTION_CALL || this == INJECTED_QUERY;
        }
    }

    private static final class Pending {
        final Expect expect;
        final Command command;
        /** What the agent sees instead of the server's error for an injected statement. */
        final ErrorResponse denial;
        final long startNanos;
        long rows = -1;
        String errorCode;
        String errorMessage;
        String tag;
        /** For a Parse of a pooled session's named statement: its server-side and its own name. */
        String serverStatement;
        String clientStatement;
        /** For a synthetic CloseComplete: the statement to give back if the server skips to Sync before it. */
        Prepared closed;

        Pending(Expect expect, Command command, ErrorResponse denial) {
            this.expect = expect;
            this.command = command;
            this.denial = denial;
            this.startNanos = command == null ? 0 : System.nanoTime();
        }

        void addRows(long n) {
            if (n >= 0) {
                rows = rows < 0 ? n : rows + n;
            }
        }
    }

    private final Channel client;
    private final Gate gate;
    private final Session session;
    private final CancelRegistry cancels;
    private final PostgresListenerConfig config;
    private final String upstreamHost;
    private final int upstreamPort;
    private final int[] clientKey;
    /** The pool the upstream connection goes back to between transactions, or {@code null} for a dedicated one. */
    private final UpstreamPool pool;
    /** The session's {@link TrackedParameters}, applied to each pooled connection it is handed. */
    private final Map<String, String> tracked;
    private final ServerOwner owner = new ServerOwner();
    /** The upstream connection held now, or {@code null} (pooled, between transactions). */
    private ServerConnection server;
    private boolean acquiring;
    /**
     * What is to be written to the server while none is held, in order once one is: frames, and writes that depend
     * on the connection ({@link #withServer}); the latter hold no buffers.
     */
    private final ArrayDeque<Object> outbox = new ArrayDeque<>();
    private boolean shuttingDown;
    /** When either side last sent something (per read batch); for the idle timeout. */
    private long lastActivityNanos;
    /** The pending idle check; cancelled on close, or the event loop's timer queue would keep the closed session. */
    private ScheduledFuture<?> idleCheck;

    /** Bytes of agent frames read ahead while a command waits for the gate. */
    static final int PARKED_READ_LIMIT = 64 << 10;

    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>();
    private long backlogBytes;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<String, String> statements = new HashMap<>();
    /** A pooled session's named statements: its name → what to prepare under which server-side name. */
    private final Map<String, Prepared> named = new HashMap<>();
    /** A DEALLOCATE or DISCARD ran: the connection's prepared statements are forgotten at its ReadyForQuery. */
    private boolean forgetPreparedAtReady;
    /** A DISCARD ALL (or DEALLOCATE ALL: not told apart) ran: the connection's settings may be the server's defaults. */
    private boolean forgetParametersAtReady;
    /**
     * A pooled session ran something whose effect outlives its transaction (a SET, LISTEN, a temporary table, …): at
     * its ReadyForQuery the connection is marked to be reset (DISCARD ALL) before any session uses it again.
     */
    private boolean resetAtReady;
    /** Airlock wrote an answer of its own outside the relay of a server read: flush it after this read. */
    private boolean answeredHere;

    private record Prepared(String serverName, String sql, int[] parameterTypes) {}
    private final Map<String, Command> portals = new HashMap<>();
    private TransactionStatus status;
    private boolean parked;
    private boolean draining;
    private boolean skipUntilSync;
    private boolean closed;
    private CompletableFuture<Verdict> admission;
    /** Set when the wait inside a transaction hit {@link PostgresListenerConfig#maxWaitInTransaction()}. */
    private Verdict.Deny waitCapped;

    /**
     * @param first  the upstream connection the login was done with: kept for good when dedicated, handed back
     *               to its pool right after the login when pooled
     * @param status the transaction status to report at login
     */
    ProxyConnection(Channel client, ServerConnection first, TransactionStatus status, Gate gate, Session session,
                    CancelRegistry cancels, PostgresListenerConfig config, Map<String, String> tracked) {
        this.client = client;
        this.server = first;
        this.pool = first.pool();
        this.tracked = new HashMap<>(tracked);
        this.gate = gate;
        this.session = session;
        this.cancels = cancels;
        this.config = config;
        this.upstreamHost = session.upstream().host();
        this.upstreamPort = session.upstream().port();
        this.status = status;
        this.clientKey = cancels.register(this);
        ByteBuf out = client.alloc().buffer();
        AuthenticationOk.INSTANCE.encode(out);
        first.parameters().forEach(p -> p.encode(out));
        first.takeLoginNotices().forEach(n -> n.encode(out));
        new BackendKeyData(clientKey[0], clientKey[1]).encode(out);
        new ReadyForQuery(status).encode(out);
        client.writeAndFlush(out);
    }

    /** Replaces the handshake with the relay and starts reading. */
    void start(ChannelHandlerContext handshake) {
        ((PgFrameDecoder) client.pipeline().get(PostgresPipelineConfigurator.FRAME_DECODER)).limit(config.maxFrameLength());
        client.pipeline().replace(handshake.handler(), PostgresPipelineConfigurator.RELAY, new ClientRelayHandler());
        if (!config.idleTimeout().isZero()) {
            // a timestamp per read batch and one timer, instead of an IdleStateHandler, which would give every
            // relayed write a promise and a listener of its own
            lastActivityNanos = System.nanoTime();
            checkIdle(config.idleTimeout().toNanos());
        }
        if (pool != null) {
            releaseServer();
        } else {
            server.attach(owner);
        }
        client.read();
        if (cancels.shuttingDown()) {
            shutdown();
        }
    }

    private void checkIdle(long delayNanos) {
        idleCheck = client.eventLoop().schedule(() -> {
            if (closed) {
                return;
            }
            long timeout = config.idleTimeout().toNanos();
            long idle = System.nanoTime() - lastActivityNanos;
            if (idle >= timeout && !parked && !acquiring) {
                Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.IDLE_TIMEOUT.sqlState(),
                        "terminating connection due to idle-session timeout", null, null));
                close("idle timeout");
            } else {
                checkIdle(parked || acquiring ? timeout : timeout - idle);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private boolean pooled() {
        return pool != null;
    }

    // ---------------------------------------------------------------- the upstream connection

    /** Writes one frame for the server, taking an upstream connection from the pool first when none is held. */
    private void send(ByteBuf frame) {
        if (server != null) {
            // no promise per relayed frame: a failed write is reported through exceptionCaught, which closes the session
            server.channel.write(frame, server.channel.voidPromise());
            return;
        }
        outbox.add(frame);
        acquireServer();
    }

    /** Runs {@code write} with the upstream connection, at once or, pooled, once one is taken from the pool. */
    private void withServer(Consumer<ServerConnection> write) {
        if (server != null) {
            write.accept(server);
            return;
        }
        outbox.add(write);
        acquireServer();
    }

    private void acquireServer() {
        if (!acquiring) {
            acquiring = true;
            io.netty.util.concurrent.Future<ServerConnection> f = pool.acquire(tracked);
            if (f.isDone()) {
                acquired(f);
            } else {
                f.addListener(x -> acquired(f));
            }
        }
    }

    private void acquired(io.netty.util.concurrent.Future<ServerConnection> f) {
        acquiring = false;
        if (!f.isSuccess()) {
            log.debug("{}: no pooled upstream connection", client, f.cause());
            Channels.closeOnFlush(client, f.cause() instanceof ServerConnection.ParameterRejected r
                    ? ErrorResponse.fatal(r.sqlState, r.getMessage(), null, null)
                    : ErrorResponse.fatal(PostgresError.UPSTREAM_UNAVAILABLE.sqlState(), "upstream of connection '"
                            + session.connection().name() + "' unavailable: " + f.cause().getMessage(), null, null));
            close("no upstream connection: " + f.cause().getMessage());
            return;
        }
        ServerConnection c = f.getNow();
        if (closed) {
            pool.release(c);
            return;
        }
        server = c;
        c.attach(owner, tracked);
        Object o;
        while ((o = outbox.poll()) != null) {
            if (o instanceof ByteBuf b) {
                c.channel.write(b, c.channel.voidPromise());
            } else {
                @SuppressWarnings("unchecked")
                Consumer<ServerConnection> write = (Consumer<ServerConnection>) o;
                write.accept(c);
            }
        }
        if (!draining) {
            drain();
        }
    }

    /** Nothing is owed and no transaction is open: the upstream connection can serve another session. */
    private boolean releasable() {
        return pooled() && server != null && status == TransactionStatus.IDLE && pending.isEmpty() && outbox.isEmpty()
                && !acquiring && !skipUntilSync;
    }

    private void releaseServer() {
        ServerConnection c = server;
        server = null;
        pool.release(c);
    }

    // ---------------------------------------------------------------- agent → server

    private void onClientFrame(ByteBuf frame) {
        backlog.add(frame);
        backlogBytes += frame.readableBytes();
        if (!draining) {
            drainBacklog();
        }
    }

    /** After a read: one flush for everything the read produced, then ask for more. */
    private void readComplete() {
        lastActivityNanos = System.nanoTime();
        if (server != null) {
            server.channel.flush();
        }
        if (answeredHere) {
            // Airlock's own answers (a synthetic ParseComplete, say) may be all the agent waits for
            answeredHere = false;
            client.flush();
        }
        readMore();
    }

    /** After a verdict arrived asynchronously: resume, flush and read on. */
    private void drain() {
        if (draining) {
            return;
        }
        drainBacklog();
        readComplete();
    }

    private void drainBacklog() {
        draining = true;
        try {
            while (!parked && !acquiring && !closed && !backlog.isEmpty()) {
                ByteBuf next = backlog.poll();
                backlogBytes -= next.readableBytes();
                handle(next);
            }
        } finally {
            draining = false;
        }
    }

    private void readMore() {
        // While parked, keep reading a little so that a client going away is noticed (and its approval
        // cancelled); what it sends meanwhile waits in the backlog, up to PARKED_READ_LIMIT bytes.
        if (!closed && !acquiring && (server == null || server.channel.isWritable())
                && (parked ? backlogBytes < PARKED_READ_LIMIT : backlog.isEmpty())) {
            client.read();
        }
    }

    private void handle(ByteBuf frame) {
        FrontendType type = FrontendType.of(frame.getByte(frame.readerIndex()));
        if (type == null) {
            String message = String.format("invalid frontend message type 0x%02x", frame.getByte(frame.readerIndex()));
            frame.release();
            protocolViolation(message);
            return;
        }
        if (skipUntilSync && type != FrontendType.SYNC) {
            frame.release();
            return;
        }
        FrontendMessage m;
        try {
            m = switch (type) {
                case QUERY, PARSE, BIND, EXECUTE, CLOSE, FUNCTION_CALL -> type.decodeBody(frame);
                case DESCRIBE -> pooled() ? type.decodeBody(frame) : null; // only a pooled session renames statements
                default -> null;
            };
        } catch (CorruptedFrameException e) {
            frame.release();
            protocolViolation(e.getMessage());
            return;
        }
        switch (type) {
            case QUERY -> admit(frame, new Command(Protocol.POSTGRES, Command.Kind.SQL_QUERY, ((Query) m).sql(), null), c -> {
                noteSessionEffects(((Query) m).sql());
                forward(frame, new Pending(Expect.QUERY, c, null));
            }, this::denySimple);
            case PARSE -> {
                Parse p = (Parse) m;
                boolean shared = pooled() && !p.name().isEmpty();
                if (shared && statements.containsKey(p.name())) {
                    // PostgreSQL refuses a second Parse of a name until it is closed; the server never sees the
                    // agent's names here, so Airlock says so itself
                    frame.release();
                    rejectExtended(ErrorResponse.error("42P05", "prepared statement \"" + p.name() + "\" already exists",
                            null, null));
                    return;
                }
                admit(frame, new Command(Protocol.POSTGRES, Command.Kind.SQL_PREPARE, p.sql(), null), c -> {
                    noteSessionEffects(p.sql());
                    statements.put(p.name(), p.sql());
                    if (shared) {
                        frame.release();
                        prepareShared(p);
                    } else {
                        forward(frame, new Pending(Expect.PARSE, null, null));
                    }
                }, this::denyExtended);
            }
            case BIND -> {
                Bind b = (Bind) m;
                String sql = statements.get(b.statement());
                if (sql == null) {
                    frame.release();
                    denyExtended(new Verdict.Deny(Failure.POLICY_DENIED, "prepared statement \"" + b.statement()
                            + "\" was not prepared through Airlock", null, null, "Prepare statements with the protocol's Parse message."));
                    return;
                }
                admit(frame, new Command(Protocol.POSTGRES, Command.Kind.SQL_EXECUTE, sql, parameters(b)), c -> {
                    portals.put(b.portal(), c);
                    Prepared ps = named.get(b.statement());
                    if (ps == null) {
                        forward(frame, new Pending(Expect.BIND, null, null));
                        return;
                    }
                    frame.release();
                    withServer(srv -> {
                        ensurePrepared(srv, ps);
                        write(srv, new Pending(Expect.BIND, null, null), new Bind(b.portal(), ps.serverName(),
                                b.parameterFormats(), b.parameters(), b.resultFormats()));
                    });
                }, this::denyExtended);
            }
            case EXECUTE -> forward(frame, new Pending(Expect.EXECUTE, portals.get(((Execute) m).portal()), null));
            case DESCRIBE -> {
                Prepared ps = m instanceof Describe d && d.target() == 'S' ? named.get(d.name()) : null;
                if (ps == null) {
                    forward(frame, new Pending(Expect.DESCRIBE, null, null));
                } else {
                    frame.release();
                    withServer(srv -> {
                        ensurePrepared(srv, ps);
                        write(srv, new Pending(Expect.DESCRIBE, null, null), new Describe('S', ps.serverName()));
                    });
                }
            }
            case CLOSE -> {
                Close c = (Close) m;
                if (c.target() == 'S') {
                    statements.remove(c.name());
                    Prepared gone = named.remove(c.name());
                    if (gone != null) {
                        // the server-side statement stays for the next session that prepares the same; the agent
                        // gets its CloseComplete in turn
                        frame.release();
                        Pending pe = synthetic(Expect.SYNTHETIC_CLOSE);
                        if (pe != null) {
                            pe.clientStatement = c.name();
                            pe.closed = gone;
                        }
                        return;
                    }
                } else {
                    portals.remove(c.name());
                }
                forward(frame, new Pending(Expect.CLOSE, null, null));
            }
            case SYNC -> {
                skipUntilSync = false;
                forward(frame, new Pending(Expect.SYNC, null, null));
            }
            case FUNCTION_CALL -> {
                FunctionCall f = (FunctionCall) m;
                List<String> args = new ArrayList<>(f.arguments().size());
                for (int i = 0; i < f.arguments().size(); i++) {
                    byte[] a = f.arguments().get(i);
                    boolean binary = f.argumentFormats().length > 0
                            && (f.argumentFormats().length == 1 ? f.argumentFormats()[0] : f.argumentFormats()[i]) == 1;
                    args.add(render(a, binary));
                }
                admit(frame, new Command(Protocol.POSTGRES, Command.Kind.FUNCTION_CALL, "function " + f.functionOid(), args),
                        c -> {
                            // a fast-path call names its function by oid (set_config, an advisory lock, …): assume the worst
                            resetAtReady |= pooled();
                            forward(frame, new Pending(Expect.FUNCTION_CALL, c, null));
                        }, this::denySimple);
            }
            case FLUSH, COPY_DATA, COPY_DONE, COPY_FAIL -> forward(frame, null);
            case TERMINATE -> {
                frame.release();
                close("client terminated");
            }
            case PASSWORD -> {
                frame.release();
                protocolViolation("unexpected password message after authentication");
            }
            default -> throw new IllegalStateException("unhandled " + type);
        }
    }

    private static List<String> parameters(Bind b) {
        List<String> out = new ArrayList<>(b.parameters().size());
        for (int i = 0; i < b.parameters().size(); i++) {
            out.add(render(b.parameters().get(i), b.isBinary(i)));
        }
        return out;
    }

    private static String render(byte[] value, boolean binary) {
        if (value == null) {
            return null;
        }
        return binary ? "\\x" + HexFormat.of().formatHex(value) : new String(value, StandardCharsets.UTF_8);
    }

    private void forward(ByteBuf frame, Pending p) {
        if (p != null) {
            pending.add(p);
        }
        send(frame);
    }

    /** A cheap first look for statements that may deallocate: only those are lexed, by {@link #ANALYZER}. */
    private static final Pattern MAY_DEALLOCATE = Pattern.compile("\\b(?:DEALLOCATE|DISCARD)\\b", Pattern.CASE_INSENSITIVE);
    /** Reads what a statement does to prepared statements (it keeps no state for that). */
    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer();

    /** A cheap first look for statements that may leave session state: only those are lexed, by {@link #ANALYZER}. */
    private static final Pattern MAY_KEEP_STATE = Pattern.compile("\\b(?:set|reset|listen|prepare|load|do|temp|temporary|hold"
            + "|set_config|pg_(?:try_)?advisory_lock(?:_shared)?)\\b", Pattern.CASE_INSENSITIVE);

    /** What a pooled session's statement (simple or extended) does to the connection beyond its transaction. */
    private void noteSessionEffects(String sql) {
        if (!pooled()) {
            return;
        }
        noteDeallocation(sql);
        if (!resetAtReady && MAY_KEEP_STATE.matcher(sql).find() && ANALYZER.changesSessionState(sql, TrackedParameters.REPORTED)) {
            resetAtReady = true;
        }
    }

    /** A pooled session's DEALLOCATE or DISCARD (simple or extended): what the connection has prepared is in doubt. */
    private void noteDeallocation(String sql) {
        if (!pooled() || !MAY_DEALLOCATE.matcher(sql).find()) {
            return;
        }
        for (PreparedChange c : ANALYZER.preparedChanges(sql)) { // not fooled by the words in a string or comment
            if (c instanceof PreparedChange.Deallocate) {
                forgetPreparedAtReady = true;
            } else if (c instanceof PreparedChange.DeallocateAll) {
                forgetPreparedAtReady = true;
                forgetParametersAtReady = true;
                // the session's own statements are gone, as they would be on a connection of its own
                named.keySet().forEach(statements::remove);
                named.clear();
            }
        }
    }

    /** A pooled session's Parse of a named statement: prepared under its shared server-side name, unless already there. */
    private void prepareShared(Parse p) {
        Prepared ps = new Prepared(serverName(p), p.sql(), p.parameterTypes());
        named.put(p.name(), ps);
        withServer(srv -> {
            if (srv.isPrepared(ps.serverName())) {
                Pending pe = synthetic(Expect.SYNTHETIC_PARSE);
                if (pe != null) {
                    pe.clientStatement = p.name();
                }
                return;
            }
            closeEvicted(srv, srv.markPrepared(ps.serverName()));
            Pending pe = new Pending(Expect.PARSE, null, null);
            pe.serverStatement = ps.serverName();
            pe.clientStatement = p.name();
            write(srv, pe, new Parse(ps.serverName(), ps.sql(), ps.parameterTypes()));
        });
    }

    /** Before a Bind or Describe of a shared statement: prepares it on this connection if it lacks it. */
    private void ensurePrepared(ServerConnection srv, Prepared ps) {
        if (srv.isPrepared(ps.serverName())) {
            return;
        }
        closeEvicted(srv, srv.markPrepared(ps.serverName()));
        // not an error when it does not exist; when it does (after a DISCARD we only suspect), this makes room
        write(srv, new Pending(Expect.INJECTED_CLOSE, null, null), new Close('S', ps.serverName()));
        Pending pe = new Pending(Expect.REPREPARE, null, null);
        pe.serverStatement = ps.serverName();
        write(srv, pe, new Parse(ps.serverName(), ps.sql(), ps.parameterTypes()));
    }

    private void closeEvicted(ServerConnection srv, String evicted) {
        if (evicted != null) {
            write(srv, new Pending(Expect.INJECTED_CLOSE, null, null), new Close('S', evicted));
        }
    }

    private void write(ServerConnection srv, Pending p, FrontendMessage m) {
        pending.add(p);
        ByteBuf buf = srv.channel.alloc().buffer();
        m.encode(buf);
        srv.channel.write(buf, srv.channel.voidPromise());
    }

    /** The server-side name of a shared statement: the same for the same text and parameter types. */
    static String serverName(Parse p) {
        MessageDigest md = Digests.sha256();
        md.update(p.sql().getBytes(StandardCharsets.UTF_8));
        for (int t : p.parameterTypes()) {
            md.update(new byte[] {0, (byte) (t >>> 24), (byte) (t >>> 16), (byte) (t >>> 8), (byte) t});
        }
        return "airlock_" + HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    /**
     * An answer Airlock gives in place of the server's, in its turn: now when nothing is owed before it (returns
     * {@code null}), else queued (returns its entry).
     */
    private Pending synthetic(Expect e) {
        if (pending.isEmpty()) {
            client.write(syntheticAnswer(e), client.voidPromise());
            answeredHere = true;
            return null;
        }
        Pending p = new Pending(e, null, null);
        pending.add(p);
        return p;
    }

    private ByteBuf syntheticAnswer(Expect e) {
        ByteBuf b = client.alloc().buffer(5);
        b.writeByte(e == Expect.SYNTHETIC_PARSE ? '1' : '3').writeInt(4);
        return b;
    }

    /** Writes the synthetic answers that are now at the head of what is owed. */
    private void emitSynthetic() {
        Pending head;
        while ((head = pending.peek()) != null && head.expect.synthetic()) {
            pending.poll();
            client.write(syntheticAnswer(head.expect), client.voidPromise());
        }
    }

    /** Asks the gate; parks the agent side until the verdict, which may come at once. */
    private void admit(ByteBuf frame, Command command, Consumer<Command> onAllow, Consumer<Verdict.Deny> onDeny) {
        CompletionStage<Verdict> stage;
        // Parked from the moment the gate is asked: a gate that says "awaiting approval" from inside admit()
        // (on this event loop) gets its notice written at once, before any verdict can overtake it.
        parked = true;
        try {
            stage = gate.admit(session, command, awaiting -> {
                if (client.eventLoop().inEventLoop()) {
                    notifyWaiting(awaiting);
                } else {
                    client.eventLoop().execute(() -> notifyWaiting(awaiting));
                }
            });
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Verdict> future = stage.toCompletableFuture();
        if (future.isDone() && !future.isCompletedExceptionally()) {
            parked = false;
            apply(frame, command, future.join(), null, onAllow, onDeny);
            return;
        }
        admission = future;
        ScheduledFuture<?> cap = null;
        if (status != TransactionStatus.IDLE && !config.maxWaitInTransaction().isZero()) {
            Duration max = config.maxWaitInTransaction();
            cap = client.eventLoop().schedule(() -> {
                if (admission == future) {
                    waitCapped = new Verdict.Deny(Failure.APPROVAL_EXPIRED, "statement waited longer than " + max
                            + " for approval inside a transaction", null, null,
                            "An open transaction holds its locks while it waits: roll back, then run the statement outside a "
                                    + "transaction or ask approvers first.");
                    future.cancel(false);
                }
            }, max.toNanos(), TimeUnit.NANOSECONDS);
        }
        ScheduledFuture<?> capTimer = cap;
        future.whenComplete((v, e) -> client.eventLoop().execute(() -> {
            if (capTimer != null) {
                capTimer.cancel(false);
            }
            if (admission != future) {
                return;
            }
            admission = null;
            parked = false;
            if (closed) {
                frame.release();
                return;
            }
            Verdict.Deny capped = waitCapped;
            waitCapped = null;
            apply(frame, command, capped != null ? capped : v, capped != null ? null : e, onAllow, onDeny);
            drain();
        }));
    }

    private void apply(ByteBuf frame, Command command, Verdict verdict, Throwable error,
                       Consumer<Command> onAllow, Consumer<Verdict.Deny> onDeny) {
        if (verdict instanceof Verdict.Allow) {
            onAllow.accept(command);
            return;
        }
        frame.release();
        if (verdict instanceof Verdict.Deny d) {
            onDeny.accept(d);
        } else if (error instanceof java.util.concurrent.CancellationException) {
            onDeny.accept(new Verdict.Deny(Failure.APPROVAL_CANCELLED, "canceling statement due to user request", null, null, null));
        } else {
            log.warn("{}: gate failed to decide", client, error);
            onDeny.accept(new Verdict.Deny(Failure.UNAVAILABLE, "Airlock could not decide on this statement", null, null,
                    "Try again later."));
        }
    }

    private void notifyWaiting(AwaitingApproval a) {
        if (closed || !parked) {
            return;
        }
        String where = a.channels().isEmpty() ? "" : " in " + String.join(", ", a.channels());
        client.writeAndFlush(Channels.encode(client, NoticeResponse.notice(
                "awaiting approval " + a.requestId() + where + ", expires " + DateTimeFormatter.ISO_INSTANT.format(a.expiresAt()),
                "request id: " + a.requestId(), "The statement runs once approved; cancel the query to give up.")));
    }

    /** The server answers a failing statement in place of a simple query or function call. */
    private void denySimple(Verdict.Deny d) {
        ErrorResponse error = denialError(d);
        pending.add(new Pending(Expect.INJECTED_QUERY, null, error));
        ByteBuf buf = client.alloc().buffer();
        new Query(DENIAL_STATEMENT).encode(buf);
        send(buf);
    }

    private void denyExtended(Verdict.Deny d) {
        rejectExtended(denialError(d));
    }

    /** The server fails at this point of the extended-query batch and skips to Sync; the agent sees {@code error}. */
    private void rejectExtended(ErrorResponse error) {
        pending.add(new Pending(Expect.INJECTED_PARSE, null, error));
        pending.add(new Pending(Expect.INJECTED_BIND, null, error));
        pending.add(new Pending(Expect.INJECTED_EXECUTE, null, error));
        ByteBuf buf = client.alloc().buffer();
        new Parse("", DENIAL_STATEMENT, new int[0]).encode(buf);
        new Bind("", "", new short[0], List.of(), new short[0]).encode(buf);
        new Execute("", 0).encode(buf);
        send(buf);
        skipUntilSync = true;
        // the unnamed statement and portal now hold the failing statement upstream
        statements.remove("");
        portals.remove("");
    }

    static ErrorResponse denialError(Verdict.Deny d) {
        StringBuilder detail = new StringBuilder();
        if (d.ruleId() != null) {
            detail.append("rule: ").append(d.ruleId());
        }
        if (d.requestId() != null) {
            detail.append(detail.length() > 0 ? ", " : "").append("request: ").append(d.requestId());
        }
        return ErrorResponse.error(PostgresError.of(d.failure()).sqlState(), d.reason(),
                detail.length() == 0 ? null : detail.toString(), d.hint());
    }

    // ---------------------------------------------------------------- server → agent

    private void onUpstreamFrame(ByteBuf frame) {
        BackendType type = BackendType.of(frame.getByte(frame.readerIndex()));
        if (type == null) {
            log.warn("{}: invalid message type 0x{} from server", server.channel,
                    Integer.toHexString(frame.getByte(frame.readerIndex()) & 0xff));
            frame.release();
            Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.UPSTREAM_UNAVAILABLE.sqlState(),
                    "invalid message from the server", null, null));
            close("invalid message from the server");
            return;
        }
        boolean ready = false;
        Pending head = pending.peek();
        switch (type) {
            case PARSE_COMPLETE, BIND_COMPLETE -> {
                if (head != null && (head.expect == Expect.PARSE || head.expect == Expect.BIND
                        || head.expect == Expect.INJECTED_PARSE || head.expect == Expect.INJECTED_BIND
                        || head.expect == Expect.REPREPARE)) {
                    pending.poll();
                    if (head.expect.injected() || head.expect == Expect.REPREPARE) {
                        frame.release();
                        emitSynthetic();
                        return;
                    }
                }
            }
            case CLOSE_COMPLETE -> {
                if (head != null && head.expect == Expect.INJECTED_CLOSE) {
                    pending.poll();
                    frame.release();
                    emitSynthetic();
                    return;
                }
                popIf(head, Expect.CLOSE);
            }
            case ROW_DESCRIPTION, NO_DATA -> popIf(head, Expect.DESCRIBE);
            case COMMAND_COMPLETE -> {
                if (head != null && head.command != null) {
                    CommandComplete c = (CommandComplete) type.decodeBody(frame);
                    head.addRows(c.rows());
                    head.tag = c.tag();
                }
                if (head != null && head.expect == Expect.EXECUTE) {
                    finish(pending.poll());
                }
            }
            case EMPTY_QUERY_RESPONSE, PORTAL_SUSPENDED -> {
                if (head != null && head.expect == Expect.EXECUTE) {
                    finish(pending.poll());
                }
            }
            case ERROR_RESPONSE -> {
                ErrorResponse e = (ErrorResponse) type.decodeBody(frame);
                if (head != null && head.expect.injected() && !"25P02".equals(e.sqlState())) {
                    frame.release();
                    frame = Channels.encode(client, head.denial);
                }
                if (head != null && head.errorCode == null) {
                    head.errorCode = e.sqlState();
                    head.errorMessage = e.message();
                }
                if (head != null && head.expect.extended()) {
                    // the server skips to Sync: what it was to prepare from here on is not prepared
                    while (!pending.isEmpty() && pending.peek().expect.extended()) {
                        Pending p = pending.poll();
                        if (p.serverStatement != null && server != null) {
                            server.forgetPrepared(p.serverStatement);
                        }
                        if (p.closed != null) {
                            named.put(p.clientStatement, p.closed); // its Close is skipped too
                            statements.put(p.clientStatement, p.closed.sql());
                        } else if (p.clientStatement != null) {
                            named.remove(p.clientStatement);
                            statements.remove(p.clientStatement);
                        }
                        if (p.expect == Expect.EXECUTE) {
                            if (p.errorCode == null) {
                                p.errorCode = e.sqlState();
                                p.errorMessage = e.message();
                            }
                            finish(p);
                        }
                    }
                }
            }
            case READY_FOR_QUERY -> {
                status = ((ReadyForQuery) type.decodeBody(frame)).status();
                if (forgetPreparedAtReady && server != null) {
                    forgetPreparedAtReady = false;
                    server.forgetAllPrepared();
                }
                if (forgetParametersAtReady && server != null) {
                    forgetParametersAtReady = false;
                    server.forgetParameters(); // the next session's values are all set again
                }
                if (resetAtReady && server != null) {
                    resetAtReady = false;
                    server.resetBeforeReuse(); // another session must not inherit this one's SET, LISTEN, temp tables
                }
                while (!pending.isEmpty()) {
                    Pending p = pending.poll();
                    finish(p);
                    if (p.expect.endsAtReady()) {
                        break;
                    }
                }
                ready = true;
            }
            case BACKEND_KEY_DATA, AUTHENTICATION -> {
                frame.release();
                return;
            }
            default -> {
                // relayed as is: DataRow, notices, notifications, parameter status, COPY, function results
            }
        }
        client.write(frame, client.voidPromise());
        emitSynthetic();
        if (ready) {
            if (shuttingDown && status == TransactionStatus.IDLE && pending.isEmpty() && backlog.isEmpty() && !parked) {
                terminateForShutdown();
            } else if (releasable()) {
                client.flush();
                releaseServer();
            }
        }
    }

    private void popIf(Pending head, Expect expect) {
        if (head != null && head.expect == expect) {
            pending.poll();
        }
    }

    private void finish(Pending p) {
        if (p.command != null) {
            try {
                gate.report(session, p.command, new Outcome(p.rows, Duration.ofNanos(System.nanoTime() - p.startNanos),
                        p.errorCode, p.tag, -1, p.errorMessage));
            } catch (RuntimeException e) {
                log.warn("{}: gate.report failed", client, e);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** A CancelRequest quoting this session's key arrived (on any event loop). */
    void cancelRequested(EventLoop from) {
        client.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            CompletableFuture<Verdict> a = admission;
            if (a != null) {
                a.cancel(false);
                return;
            }
            ServerConnection target = server;
            if (target == null) {
                log.debug("{}: cancel request while no statement runs upstream", client);
                return;
            }
            int pid = target.processId;
            int secret = target.secretKey;
            new Bootstrap().group(from).channelFactory(new ReflectiveChannelFactory<>(client.getClass()))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.upstreamConnectTimeout().toMillis())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // the server answers nothing and closes
                        }
                    })
                    .connect(upstreamHost, upstreamPort).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            ByteBuf buf = f.channel().alloc().buffer(16);
                            new CancelRequest(pid, secret).encode(buf);
                            f.channel().writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
                        } else {
                            log.debug("{}: cancel connection to the server failed", client, f.cause());
                        }
                    });
        });
    }

    private void protocolViolation(String message) {
        log.debug("{}: protocol violation: {}", client, message);
        Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.PROTOCOL_VIOLATION.sqlState(), message, null, null));
        close("protocol violation: " + message);
    }

    private void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        cancels.unregister(clientKey[0], clientKey[1], this);
        CompletableFuture<Verdict> a = admission;
        if (a != null) {
            a.cancel(false);
        }
        ByteBuf b;
        while ((b = backlog.poll()) != null) {
            b.release();
        }
        Object o;
        while ((o = outbox.poll()) != null) {
            if (o instanceof ByteBuf f) {
                f.release();
            }
        }
        ServerConnection c = server;
        server = null;
        if (c != null) {
            if (pooled() && c.isUsable() && status == TransactionStatus.IDLE && pending.isEmpty() && !skipUntilSync) {
                pool.release(c);
            } else if (pooled()) {
                pool.discard(c); // a transaction or a response is still open on it
            } else {
                c.terminate();
            }
        }
        Channels.closeOnFlush(client);
        try {
            gate.sessionClosed(session, reason);
        } catch (RuntimeException e) {
            log.warn("{}: gate.sessionClosed failed", client, e);
        }
    }

    /** Graceful shutdown: an idle session is told and closed now, a busy one at the end of its transaction. */
    void shutdown() {
        client.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            shuttingDown = true;
            if (status == TransactionStatus.IDLE && pending.isEmpty() && backlog.isEmpty() && !parked && !acquiring) {
                terminateForShutdown();
            }
        });
    }

    private void terminateForShutdown() {
        Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.ADMIN_SHUTDOWN.sqlState(),
                "terminating connection due to administrator command", "Airlock is shutting down.", null));
        close("Airlock shutting down");
    }

    private void onException(boolean fromClient, Throwable cause) {
        Channel ch = fromClient ? client : server != null ? server.channel : client;
        if (Channels.isExpected(cause)) {
            log.debug("{}: {}", ch, cause.toString());
            close(fromClient ? "client connection error" : "server connection error");
        } else if (fromClient && (cause instanceof TooLongFrameException || cause instanceof DecoderException)) {
            protocolViolation(ClientHandshakeHandler.rootMessage(cause));
        } else {
            log.warn("{}: relay failed", ch, cause);
            Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.UPSTREAM_UNAVAILABLE.sqlState(),
                    "Airlock relay failed", null, null));
            close("relay failed: " + cause);
        }
    }

    /** The agent side of the relay. */
    final class ClientRelayHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            onClientFrame((ByteBuf) msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!closed) {
                readComplete();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (client.isWritable() && !closed && server != null) {
                server.channel.read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close(parked ? "client disconnected while waiting for approval" : "client disconnected");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            onException(true, cause);
        }
    }

    /** The server side of the relay, for whichever upstream connection the session holds. */
    final class ServerOwner implements ServerConnection.Owner {
        @Override
        public void serverFrame(ByteBuf frame) {
            if (closed) {
                frame.release();
                return;
            }
            onUpstreamFrame(frame);
        }

        @Override
        public void serverReadComplete() {
            lastActivityNanos = System.nanoTime();
            client.flush();
            if (server != null && client.isWritable() && !closed) {
                server.channel.read();
            }
        }

        @Override
        public void serverWritabilityChanged() {
            if (server != null && server.channel.isWritable() && !parked && !closed) {
                client.read();
            }
        }

        @Override
        public void serverInactive() {
            if (!closed) {
                client.flush();
                server = null;
                Channels.closeOnFlush(client, ErrorResponse.fatal(PostgresError.UPSTREAM_UNAVAILABLE.sqlState(),
                        "the server closed the connection", null, null));
                close("server closed the connection");
            }
        }

        @Override
        public void serverException(Throwable cause) {
            onException(false, cause);
        }
    }
}
