package dev.airlock.connectors.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.connectors.http.HttpRoute;
import dev.airlock.connectors.http.message.HopByHop;
import dev.airlock.connectors.http.message.HttpError;
import dev.airlock.connectors.http.message.Problem;
import dev.airlock.connectors.http.message.RequestTarget;
import dev.airlock.connectors.spi.AwaitingApproval;
import dev.airlock.connectors.spi.Command;
import dev.airlock.connectors.spi.Failure;
import dev.airlock.connectors.spi.GateRejectedException;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.policy.Digests;
import dev.airlock.policy.HttpAction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request through Airlock: validate, route, authenticate, read the body when it is small enough to decide
 * on, ask the gate (possibly for a long time: the agent side is parked, or answered {@code 202} when it asked for
 * {@code respond-async}), forward to the upstream with Airlock's credentials, stream the response back and report
 * the outcome. Every method runs on the agent connection's event loop; the upstream channel shares it.
 *
 * <p>Content objects handed in by {@link HttpConnection} are owned by the exchange from then on; every branch
 * releases or forwards them.
 */
final class Exchange implements UpstreamHandler.Listener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A refused request's body is read and dropped up to this many bytes to keep the connection; beyond it, closed. */
    static final long MAX_DISCARD = 1 << 20;

    /** The agent's stated reason: shown to approvers, never to policy (see {@link Command#statedReason()}). */
    static final String REASON_HEADER = "x-airlock-reason";
    /** Request headers policy never sees: credentials, fields Airlock sets or removes itself, the stated reason. */
    private static final Set<String> HIDDEN_HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "connection",
            "keep-alive", "proxy-connection", "te", "transfer-encoding", "trailer", "forwarded", "x-forwarded-for",
            "x-forwarded-host", "x-forwarded-proto", REASON_HEADER);
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);
    static final String REQUEST_ID = "x-request-id";
    static final String APPROVAL_HEADER = "airlock-approval-request";

    private enum ExchangeState { STARTING, AUTHENTICATING, BUFFERING, DECIDING, CONNECTING, FORWARDING, DISCARDING, DONE }

    private final HttpConnection conn;
    private final ListenerContext lc;
    private final Channel client;
    private final HttpRequest request;
    private final UUID id;
    private long forwardNanos;

    private ExchangeState state = ExchangeState.STARTING;
    private String host;
    private String originalHost;
    private RouteTable.Match match;
    private GateBridge.Held held;
    private Command command;
    private boolean admitted;

    private boolean chunked;
    private long contentLength = -1;
    private boolean expectContinue;
    private boolean continueSent;
    private CompositeByteBuf buffered;
    private HttpHeaders trailers;
    private boolean bodyComplete;
    private boolean bodyUnread;
    private long discarded;
    private boolean websocket;
    private boolean preferAsync;

    private CompletableFuture<Verdict> admission;
    private String approvalRequestId;
    private AsyncRequests.Entry asyncEntry;

    private Channel upstream;
    private boolean upstreamPooled;
    private boolean upstreamReused;
    private boolean retried;
    private boolean requestSent;
    private ScheduledFuture<?> responseTimer;
    private boolean skippingInformational;
    private boolean responseStarted;
    private boolean responseCloseDelimited;
    private boolean responseKeepAlive;
    private int status;
    private long bytesOut;
    private boolean clientKeepAlive;
    private Sink sink;
    private Tunnel tunnel;

    Exchange(HttpConnection conn, ListenerContext lc, HttpRequest request) {
        this.conn = conn;
        this.lc = lc;
        this.client = conn.channel();
        this.request = request;
        this.id = lc.gate().newCommandId();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.sink = new ClientSink();
    }

    UUID id() {
        return id;
    }

    // ================================================================ agent → Airlock

    /** Validates the request head and sets the exchange going. */
    void start() {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpError e = cause instanceof TooLongHttpLineException ? HttpError.URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                    ? HttpError.HEADERS_TOO_LARGE : HttpError.BAD_REQUEST;
            fail(Problem.of(e, "malformed request: " + message(cause)), true);
            return;
        }
        HttpVersion v = request.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() > 1) {
            fail(Problem.of(HttpError.HTTP_VERSION, "HTTP/" + v.majorVersion() + "." + v.minorVersion()
                    + " is not supported here (expected: HTTP/1.0 or HTTP/1.1)"), true);
            return;
        }
        HttpHeaders h = request.headers();
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            fail(Problem.of(HttpError.BAD_REQUEST, "more than one Host header (RFC 9112 §3.2)"), true);
            return;
        }
        if (hosts.isEmpty() && v.minorVersion() == 1) {
            fail(Problem.of(HttpError.BAD_REQUEST, conn.http2() ? "HTTP/2 request without :authority (RFC 9113 §8.3.1)"
                    : "HTTP/1.1 request without a Host header (RFC 9112 §3.2)"), true);
            return;
        }
        if (request.method() == HttpMethod.CONNECT) {
            fail(Problem.of(HttpError.METHOD_NOT_ALLOWED, "CONNECT is not supported: Airlock is a reverse proxy"), true);
            return;
        }
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
                fail(Problem.of(HttpError.NOT_IMPLEMENTED, "transfer coding '" + String.join(", ", te)
                        + "' is not supported (expected: chunked)"), true);
                return;
            }
            chunked = true;
        } else {
            try {
                contentLength = HttpUtil.getContentLength(request, -1L);
            } catch (NumberFormatException e) {
                fail(Problem.of(HttpError.BAD_REQUEST, "invalid Content-Length"), true);
                return;
            }
        }
        String expect = h.get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!expect.trim().equalsIgnoreCase("100-continue") || h.getAll(HttpHeaderNames.EXPECT).size() > 1) {
                fail(Problem.of(HttpError.EXPECTATION_FAILED, "Expect: " + expect + " (expected: 100-continue)"), true);
                return;
            }
            expectContinue = v.minorVersion() == 1;
        }
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.uri());
        } catch (RequestTarget.InvalidTargetException e) {
            fail(Problem.of(HttpError.BAD_REQUEST, e.getMessage()), true);
            return;
        }
        String hostHeader = hosts.isEmpty() ? null : hosts.get(0).trim();
        originalHost = hostHeader;
        if (target.authority() != null && hostHeader != null && !target.authority().equalsIgnoreCase(hostHeader)) {
            fail(Problem.of(HttpError.BAD_REQUEST, "absolute request target names another host than the Host header"), true);
            return;
        }
        String authority = target.authority() != null ? target.authority() : hostHeader;
        host = authority == null ? "" : hostName(authority);
        if (host == null) {
            fail(Problem.of(HttpError.BAD_REQUEST, "invalid Host header"), true);
            return;
        }
        websocket = !conn.http2() && isWebSocketUpgrade(request); // HTTP/2 has no Upgrade (RFC 9113 §8.6)
        preferAsync = prefersAsync(h);
        if (target.path().startsWith("/_airlock/")) {
            poll(target);
            return;
        }
        match = lc.routes().find(host, target);
        if (match == null) {
            refuse(Problem.of(HttpError.NO_ROUTE, "no Airlock connection on this listener answers for host '" + host
                    + "' and path " + target.path()).with("request_id", id.toString()), null);
            return;
        }
        String token = bearer(h);
        if (token == null) {
            refuse(Problem.of(HttpError.UNAUTHENTICATED, "send an OIDC access token as 'Authorization: Bearer <token>'")
                    .with("request_id", id.toString()), "Bearer realm=\"airlock\"");
            return;
        }
        state = ExchangeState.AUTHENTICATING;
        conn.bridge().session(token, match.route().connection(), h.get(HttpHeaderNames.USER_AGENT))
                .whenComplete((s, e) -> onAuthenticated(s, e));
    }

    private void onAuthenticated(GateBridge.Held s, Throwable error) {
        if (state != ExchangeState.AUTHENTICATING) {
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof java.nio.channels.ClosedChannelException) {
                state = ExchangeState.DONE;
                return;
            }
            if (cause instanceof GateRejectedException r) {
                HttpError e = HttpError.of(r.failure());
                refuse(Problem.of(e, r.getMessage()).with("hint", r.hint()).with("request_id", id.toString()),
                        e == HttpError.UNAUTHENTICATED ? "Bearer realm=\"airlock\", error=\"invalid_token\"" : null);
            } else {
                log.warn("{}: gate failed to authenticate", client, cause);
                refuse(Problem.of(HttpError.GATE_UNAVAILABLE, "Airlock could not verify the token; try again later")
                        .with("request_id", id.toString()), null);
            }
            return;
        }
        held = s;
        HttpRoute route = match.route();
        boolean bodyExpected = chunked || contentLength > 0;
        if (!bodyExpected || (contentLength >= 0 && contentLength <= route.maxBufferedBody()) || (chunked && route.maxBufferedBody() > 0)) {
            state = ExchangeState.BUFFERING;
            buffered = client.alloc().compositeBuffer(64);
            if (expectContinue && bodyExpected) {
                sendContinue();
            }
            conn.drain();
            conn.readMore();
        } else {
            bodyUnread = true;
            decide();
        }
    }

    /** Whether the exchange takes the next content object from the agent now. */
    boolean wantsContent() {
        return switch (state) {
            case BUFFERING, DISCARDING -> true;
            case FORWARDING -> !bodyComplete && upstream != null && upstream.isWritable();
            default -> false;
        };
    }

    /** The next piece of the request body (ownership passes to the exchange). */
    void offer(HttpContent c) {
        if (c.decoderResult().isFailure()) {
            String why = "malformed request body: " + message(c.decoderResult().cause());
            c.release();
            if (state == ExchangeState.FORWARDING) {
                // part of the body went upstream already: neither connection can go on
                errorCode = HttpError.BAD_REQUEST.code();
                closeUpstream();
                if (responseStarted) {
                    clientKeepAlive = false;
                    done();
                } else {
                    respondAfterAdmit(Problem.of(HttpError.BAD_REQUEST, why).with("request_id", id.toString()));
                }
                return;
            }
            fail(Problem.of(HttpError.BAD_REQUEST, why), true);
            return;
        }
        boolean last = c instanceof LastHttpContent;
        switch (state) {
            case BUFFERING -> {
                ByteBuf b = c.content();
                if (buffered.readableBytes() + b.readableBytes() > match.route().maxBufferedBody()) {
                    // a chunked body larger than we read: it streams through unread, the part read goes first
                    bodyUnread = true;
                    keepBuffered(c, last);
                    decide();
                    return;
                }
                keepBuffered(c, last);
                if (last) {
                    decide();
                }
            }
            case DISCARDING -> {
                discarded += c.content().readableBytes();
                c.release();
                if (last) {
                    bodyComplete = true;
                    done();
                } else if (discarded > MAX_DISCARD) {
                    clientKeepAlive = false;
                    done();
                }
            }
            case FORWARDING -> {
                if (last) {
                    bodyComplete = true;
                    requestSent = true;
                    upstream.writeAndFlush(c, upstream.voidPromise());
                } else {
                    upstream.write(c, upstream.voidPromise());
                }
            }
            default -> c.release();
        }
    }

    private void keepBuffered(HttpContent c, boolean last) {
        if (c.content().isReadable()) {
            buffered.addComponent(true, c.content().retain());
        }
        if (last) {
            bodyComplete = true;
            HttpHeaders t = ((LastHttpContent) c).trailingHeaders();
            trailers = t.isEmpty() ? null : t.copy();
        }
        c.release();
    }

    /** The agent's read batch ended: send what it produced upstream in one flush. */
    void clientReadComplete() {
        if (state == ExchangeState.FORWARDING && upstream != null) {
            upstream.flush();
        }
    }

    void clientWritabilityChanged() {
        if (tunnel == null && client.isWritable() && upstream != null && responseStarted && !responseCompleteSeen) {
            upstream.read();
        }
    }

    /** The agent connection closed. A detached ({@code respond-async}) exchange carries on. */
    void clientGone() {
        if (asyncEntry != null || state == ExchangeState.DONE) {
            return;
        }
        CompletableFuture<Verdict> a = admission;
        if (a != null && !a.isDone()) {
            a.cancel(false); // the gate cancels the approval request
        }
        if (admitted && !responseCompleteSeen) {
            status = 499; // as nginx records it: the client closed the request
            errorCode = "client-gone";
        }
        clientKeepAlive = false;
        closeUpstream();
        done();
    }

    // ================================================================ polling a respond-async request

    /** {@code GET /_airlock/requests/<id>}: the agent that sent a request asks for its result. */
    private void poll(RequestTarget target) {
        String path = target.path();
        UUID rid = null;
        if (path.startsWith(AsyncRequests.PATH_PREFIX)) {
            try {
                rid = UUID.fromString(path.substring(AsyncRequests.PATH_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                rid = null;
            }
        }
        AsyncRequests.Entry entry = rid == null ? null : lc.async().find(rid);
        Problem notFound = Problem.of(HttpError.NOT_FOUND, "no async request " + path.substring(Math.min(path.length(),
                AsyncRequests.PATH_PREFIX.length())) + " for this identity (results are kept for "
                + lc.config().asyncResultTtl().toMinutes() + " min)").with("request_id", id.toString());
        if (entry == null) {
            refuse(notFound, null);
            return;
        }
        if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            refuse(Problem.of(HttpError.METHOD_NOT_ALLOWED, request.method() + " " + path + " (expected: GET)"), null);
            return;
        }
        String token = bearer(request.headers());
        if (token == null) {
            refuse(Problem.of(HttpError.UNAUTHENTICATED, "send the same identity's token as 'Authorization: Bearer <token>'")
                    .with("request_id", id.toString()), "Bearer realm=\"airlock\"");
            return;
        }
        state = ExchangeState.AUTHENTICATING;
        conn.bridge().session(token, entry.connection, request.headers().get(HttpHeaderNames.USER_AGENT)).whenComplete((s, e) -> {
            if (state != ExchangeState.AUTHENTICATING) {
                return;
            }
            if (e != null) {
                onAuthenticated(null, e); // answers 401 / 503 like any request
                return;
            }
            if (!entry.ownedBy(s.session().identity())) {
                refuse(notFound, null);
                return;
            }
            AsyncRequests.Result r = entry.result();
            FullHttpResponse out;
            if (r == null) {
                byte[] body = entry.pendingJson();
                out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED,
                        client.alloc().buffer(body.length).writeBytes(body));
                out.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.RETRY_AFTER, "2")
                        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            } else {
                out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                        client.alloc().buffer(r.body().length).writeBytes(r.body()));
                out.headers().set(r.headers()).setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
            }
            out.headers().set(REQUEST_ID, entry.id.toString()).set(APPROVAL_HEADER, entry.approvalRequestId);
            sink.whole(out);
            if (!clientKeepAlive || bodyComplete) {
                done();
            } else {
                state = ExchangeState.DISCARDING;
                conn.drain();
                conn.readMore();
            }
        });
    }

    // ================================================================ the decision

    private void decide() {
        state = ExchangeState.DECIDING;
        HttpAction action = action();
        command = Command.http(action, id, utf8(request.headers().get(REASON_HEADER)));
        CompletableFuture<Verdict> f = conn.bridge().admit(held, command, this::awaiting).toCompletableFuture();
        if (f.isDone()) {
            verdict(f);
            return;
        }
        admission = f;
        f.whenComplete((v, e) -> client.eventLoop().execute(() -> {
            if (admission == f) {
                admission = null;
                verdict(f);
            }
        }));
    }

    private HttpAction action() {
        RequestTarget t = match.target();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : request.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!HIDDEN_HEADERS.contains(name)) {
                headers.computeIfAbsent(name, k -> new java.util.ArrayList<>(1)).add(e.getValue());
            }
        }
        String digest = null;
        JsonNode json = null;
        if (bodyUnread) {
            digest = HttpAction.UNREAD_BODY;
        } else if (buffered.isReadable()) {
            MessageDigest md = Digests.sha256();
            for (ByteBuffer b : buffered.nioBuffers()) {
                md.update(b);
            }
            digest = HexFormat.of().formatHex(md.digest());
            if (isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
                try (ByteBufInputStream in = new ByteBufInputStream(buffered.duplicate())) {
                    json = JSON.readTree((java.io.InputStream) in);
                } catch (IOException | RuntimeException e) {
                    json = null; // not JSON after all: body criteria are unknown (digest without body)
                }
            }
        }
        return new HttpAction(match.route().connection(), request.method().name(), host, t.path(), t.query(), headers,
                digest, json);
    }

    /**
     * A header value as the UTF-8 text its bytes spell (the codec reads header bytes as ISO-8859-1, one char per
     * byte); malformed sequences become U+FFFD. {@code null} stays {@code null}.
     */
    static String utf8(String latin1) {
        if (latin1 == null) {
            return null;
        }
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return new String(latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }

    /** The gate asks humans; called on any thread. */
    private void awaiting(AwaitingApproval a) {
        if (client.eventLoop().inEventLoop()) {
            onAwaiting(a);
        } else {
            client.eventLoop().execute(() -> onAwaiting(a));
        }
    }

    private void onAwaiting(AwaitingApproval a) {
        approvalRequestId = a.requestId();
        if (state != ExchangeState.DECIDING || !preferAsync || !bodyComplete || bodyUnread || websocket || asyncEntry != null) {
            log.debug("{}: request {} waits for approval {}", client, id, a.requestId());
            return;
        }
        AsyncRequests.Entry e = lc.async().register(id, held.session().identity(), match.route().connection(),
                a.requestId(), a.channels(), a.expiresAt());
        if (e == null) {
            log.info("{}: {} async requests held already; request {} waits on its connection", client, lc.async().size(), id);
            return;
        }
        asyncEntry = e;
        conn.bridge().retain(held);
        byte[] body = e.pendingJson();
        FullHttpResponse accepted = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED,
                client.alloc().buffer(body.length).writeBytes(body));
        accepted.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.LOCATION, AsyncRequests.PATH_PREFIX + id)
                .set("preference-applied", "respond-async")
                .set(HttpHeaderNames.RETRY_AFTER, "2")
                .set(REQUEST_ID, id.toString())
                .set(APPROVAL_HEADER, a.requestId())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        boolean keepAlive = clientKeepAlive;
        conn.writeResponse(accepted, keepAlive, request);
        sink = new AsyncSink();
        conn.exchangeDone(this, keepAlive); // the agent connection moves on; this exchange runs detached
    }

    private void verdict(CompletableFuture<Verdict> f) {
        if (state != ExchangeState.DECIDING) {
            return;
        }
        Verdict v;
        try {
            v = f.join();
        } catch (CancellationException e) {
            return; // the agent went away
        } catch (CompletionException e) {
            log.warn("{}: gate failed to decide on request {}", client, id, e.getCause());
            refuse(Problem.of(HttpError.GATE_UNAVAILABLE, "Airlock could not decide on this request")
                    .with("hint", "Try again later.").with("request_id", id.toString()), null);
            return;
        }
        if (v instanceof Verdict.Deny d) {
            HttpError e = HttpError.of(d.failure());
            Problem p = Problem.of(e, d.reason()).with("rule_id", d.ruleId()).with("request_id", id.toString())
                    .with("hint", d.hint());
            if (d.requestId() != null && !d.requestId().equals(id.toString())) {
                p = p.with("approval_request_id", d.requestId());
            }
            refuse(p, null);
            return;
        }
        admitted = true;
        if (expectContinue && !continueSent && !bodyComplete) {
            sendContinue();
        }
        connect();
    }

    private void sendContinue() {
        continueSent = true;
        client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }

    // ================================================================ Airlock → upstream

    private void connect() {
        state = ExchangeState.CONNECTING;
        if (forwardNanos == 0) {
            forwardNanos = System.nanoTime(); // the outcome's duration runs from here: a wait for approval is not in it
        }
        UpstreamPool pool = lc.pool(match.route().connection());
        Future<Channel> f;
        upstreamPooled = !websocket && !retried;
        try {
            f = upstreamPooled ? pool.acquire(client) : pool.connect(client);
        } catch (RuntimeException e) {
            upstreamFailedBeforeResponse(e);
            return;
        }
        f.addListener(done -> {
            if (!done.isSuccess()) {
                if (state == ExchangeState.CONNECTING) {
                    upstreamFailedBeforeResponse(done.cause());
                }
                return;
            }
            Channel ch = (Channel) done.getNow();
            if (state != ExchangeState.CONNECTING) {
                if (upstreamPooled) {
                    pool.release(ch);
                } else {
                    ch.close();
                }
                return;
            }
            upstream = ch;
            upstreamReused = upstreamPooled && Boolean.TRUE.equals(ch.attr(ListenerContext.USED).getAndSet(true));
            send();
        });
    }

    private void send() {
        state = ExchangeState.FORWARDING;
        UpstreamHandler.of(upstream).attach(this);
        HttpRoute route = match.route();
        RequestTarget t = match.target();
        String uri = route.upstreamBasePath() + t.encodedPath() + (t.rawQuery() == null ? "" : "?" + t.rawQuery());
        // the agent's headers, edited in place (the action was built from them already; a retry edits them again, to
        // the same result); names and values come from the validated request or from checked configuration
        HttpHeaders out = request.headers();
        HopByHop.strip(out);
        out.remove(HttpHeaderNames.AUTHORIZATION).remove(HttpHeaderNames.EXPECT).remove("forwarded")
                .remove("x-forwarded-for").remove("x-forwarded-host").remove("x-forwarded-proto").remove(REQUEST_ID);
        out.set(HttpHeaderNames.HOST, route.upstreamAuthority());
        route.credentialHeaders().forEach(out::set);
        out.set(REQUEST_ID, id.toString());
        forwarded(out);
        if (chunked) {
            out.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (websocket) {
            out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        upstream.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), uri, out), upstream.voidPromise());
        if (buffered != null && buffered.isReadable()) {
            // kept until the response starts, so a stale pooled connection can be retried with the same bytes
            upstream.write(new DefaultHttpContent(buffered.retainedDuplicate()), upstream.voidPromise());
        }
        if (bodyComplete) {
            LastHttpContent last = trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
                    : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers.copy());
            upstream.write(last, upstream.voidPromise());
            requestSent = true;
        }
        upstream.flush();
        long timeout = route.responseTimeout().toNanos();
        responseTimer = client.eventLoop().schedule(this::responseTimedOut, timeout, TimeUnit.NANOSECONDS);
        upstream.read();
        if (asyncEntry == null) {
            conn.drain();
            conn.readMore();
        }
    }

    /** {@code Forwarded} (RFC 7239) and the {@code X-Forwarded-*} trio, replacing whatever the agent sent. */
    private void forwarded(HttpHeaders out) {
        String forIp = client.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : "unknown";
        String proto = conn.tls() ? "https" : "http";
        String origHost = originalHost != null ? originalHost : host;
        String forNode = forIp.indexOf(':') >= 0 ? "\"[" + forIp + "]\"" : forIp;
        out.set("forwarded", "for=" + forNode + ";host=\"" + origHost.replace("\"", "") + "\";proto=" + proto);
        out.set("x-forwarded-for", forIp);
        out.set("x-forwarded-host", origHost);
        out.set("x-forwarded-proto", proto);
    }

    private void responseTimedOut() {
        if (state == ExchangeState.FORWARDING && !responseStarted) {
            errorCode = HttpError.UPSTREAM_TIMEOUT.code();
            closeUpstream();
            respondAfterAdmit(Problem.of(HttpError.UPSTREAM_TIMEOUT, "the upstream of connection '" + match.route().connection()
                    + "' sent no response within " + Duration.ofNanos(match.route().responseTimeout().toNanos()).toMillis()
                    + " ms").with("request_id", id.toString()));
        }
    }

    private String errorCode;
    private boolean responseCompleteSeen;

    // ================================================================ upstream → agent

    @Override
    public void upstreamRead(Object msg) {
        if (state != ExchangeState.FORWARDING || responseCompleteSeen) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                upstreamInvalid("invalid response head: " + message(r.decoderResult().cause()));
                return;
            }
            int code = r.status().code();
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101) {
                skippingInformational = true; // 100 Continue / 103 Early Hints: the final response follows
                if (r instanceof HttpContent c) {
                    skippingInformational = !(c instanceof LastHttpContent);
                    c.release();
                }
                return;
            }
            if (responseTimer != null) {
                responseTimer.cancel(false);
            }
            responseStarted = true;
            releaseBuffered();
            status = code;
            if (code == 101) {
                switchProtocols(r);
                return;
            }
            responseKeepAlive = HttpUtil.isKeepAlive(r);
            responseCloseDelimited = !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r)
                    && !alwaysEmpty(r);
            sink.head(responseHead(r));
            if (r instanceof HttpContent c) {
                content(c);
            }
            return;
        }
        if (msg instanceof HttpContent c) {
            if (skippingInformational) {
                skippingInformational = !(c instanceof LastHttpContent);
                c.release();
                return;
            }
            if (c.decoderResult().isFailure()) {
                c.release();
                upstreamInvalid("invalid response body");
                return;
            }
            content(c);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void content(HttpContent c) {
        boolean last = c instanceof LastHttpContent;
        bytesOut += c.content().readableBytes();
        if (!sink.content(c)) {
            return; // the sink gave up (async response too large) and finished the exchange
        }
        if (last) {
            responseCompleteSeen = true;
            sink.flush();
            if (requestSent) {
                done();
            } else {
                // the upstream answered before taking the whole body: neither side can be reused
                responseKeepAlive = false;
                clientKeepAlive = false;
                done();
            }
        }
    }

    @Override
    public void upstreamReadComplete() {
        if (state != ExchangeState.FORWARDING) {
            return;
        }
        sink.flush();
        if (!responseCompleteSeen && sink.writable()) {
            upstream.read();
        }
    }

    @Override
    public void upstreamWritabilityChanged() {
        if (state == ExchangeState.FORWARDING && upstream.isWritable() && asyncEntry == null) {
            conn.drain();
            conn.readMore();
        }
    }

    @Override
    public void upstreamClosed() {
        if (state != ExchangeState.FORWARDING || responseCompleteSeen) {
            return;
        }
        if (responseStarted && responseCloseDelimited) {
            // a body delimited by the close: this is its end
            responseKeepAlive = false;
            content(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        upstreamFailed(new java.nio.channels.ClosedChannelException());
    }

    @Override
    public void upstreamFailed(Throwable cause) {
        if (state != ExchangeState.FORWARDING && state != ExchangeState.CONNECTING) {
            return;
        }
        if (!responseStarted) {
            if (upstreamReused && !retried && bodyComplete && !bodyUnread && IDEMPOTENT.contains(request.method())) {
                log.debug("{}: pooled upstream connection failed before answering request {} ({}); retrying once",
                        client, id, cause.toString());
                retried = true;
                detachUpstream(false);
                if (responseTimer != null) {
                    responseTimer.cancel(false);
                }
                connect();
                return;
            }
            upstreamFailedBeforeResponse(cause);
            return;
        }
        log.debug("{}: upstream failed in the middle of the response to request {}: {}", client, id, cause.toString());
        errorCode = HttpError.UPSTREAM_UNAVAILABLE.code();
        responseKeepAlive = false;
        clientKeepAlive = false; // the agent sees a truncated response: the connection closes
        closeUpstream();
        done();
    }

    private void upstreamFailedBeforeResponse(Throwable cause) {
        String why = cause instanceof java.nio.channels.ClosedChannelException ? "connection closed before a response"
                : message(cause);
        log.debug("{}: upstream of {} failed for request {}: {}", client, match.route().connection(), id, why);
        errorCode = HttpError.UPSTREAM_UNAVAILABLE.code();
        closeUpstream();
        respondAfterAdmit(Problem.of(HttpError.UPSTREAM_UNAVAILABLE, "the upstream of connection '"
                + match.route().connection() + "' is unavailable: " + why).with("request_id", id.toString()));
    }

    private void upstreamInvalid(String why) {
        errorCode = HttpError.UPSTREAM_INVALID.code();
        closeUpstream();
        if (responseStarted) {
            clientKeepAlive = false;
            done();
            return;
        }
        respondAfterAdmit(Problem.of(HttpError.UPSTREAM_INVALID, "the upstream of connection '" + match.route().connection()
                + "' sent an invalid response: " + why).with("request_id", id.toString()));
    }

    private HttpResponse responseHead(HttpResponse upstreamHead) {
        // edited in place: the upstream's head goes on to the agent (a head that carries content gets a head of its own)
        HttpResponse up = upstreamHead instanceof HttpContent
                ? new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstreamHead.status(), upstreamHead.headers()) : upstreamHead;
        HttpHeaders h = up.headers();
        HopByHop.strip(h);
        h.set(REQUEST_ID, id.toString());
        if (approvalRequestId != null) {
            h.set(APPROVAL_HEADER, approvalRequestId);
        }
        if (!alwaysEmpty(up) && !HttpUtil.isContentLengthSet(up)) {
            if (request.protocolVersion().minorVersion() >= 1) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                clientKeepAlive = false; // an HTTP/1.0 agent gets a body delimited by the close
            }
        }
        up.setProtocolVersion(HttpVersion.HTTP_1_1);
        keepAliveHeader(up);
        return up;
    }

    private void keepAliveHeader(HttpResponse r) {
        if (!clientKeepAlive || conn.lastRequest()) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().minorVersion() == 0) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    private boolean alwaysEmpty(HttpResponse r) {
        int c = r.status().code();
        return request.method() == HttpMethod.HEAD || c == 204 || c == 304 || (c >= 100 && c < 200);
    }

    // ================================================================ WebSocket

    private void switchProtocols(HttpResponse up) {
        if (!websocket || !(sink instanceof ClientSink)) {
            ReferenceCountUtil.release(up);
            upstreamInvalid("101 Switching Protocols to a request that did not ask for a WebSocket");
            return;
        }
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(up.headers());
        HopByHop.strip(h);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(REQUEST_ID, id.toString());
        if (approvalRequestId != null) {
            h.set(APPROVAL_HEADER, approvalRequestId);
        }
        ReferenceCountUtil.release(up);
        Channel up2 = upstream;
        UpstreamHandler.of(up2).attach(null);
        tunnel = new Tunnel(client, up2, this::tunnelClosed);
        conn.switchToTunnel(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
                Unpooled.EMPTY_BUFFER, h, new DefaultHttpHeaders()), tunnel);
    }

    private void tunnelClosed(long downstreamBytes) {
        bytesOut = downstreamBytes;
        responseCompleteSeen = true;
        upstream = null; // the tunnel closed it
        clientKeepAlive = false;
        done();
        conn.tunnelEnded();
    }

    // ================================================================ ending

    /** A refusal before anything went upstream (not admitted: the gate recorded the decision, there is no result). */
    private void refuse(Problem p, String wwwAuthenticate) {
        FullHttpResponse r = p.response(client.alloc(), HttpVersion.HTTP_1_1);
        r.headers().set(REQUEST_ID, id.toString());
        if (approvalRequestId != null) {
            r.headers().set(APPROVAL_HEADER, approvalRequestId);
        }
        if (wwwAuthenticate != null) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, wwwAuthenticate);
        }
        if (asyncEntry != null) {
            sink.whole(r);
            done();
            return;
        }
        if (!bodyComplete && ((expectContinue && !continueSent) || conn.http2())) {
            // the agent holds its body back, don't wait for it; over HTTP/2 the stream's reset stops the body and the
            // connection goes on anyway (no reading to the end to keep it)
            clientKeepAlive = false;
        }
        sink.whole(r);
        if (!clientKeepAlive || bodyComplete) {
            done();
        } else {
            state = ExchangeState.DISCARDING; // read the rest of the body and drop it, then take the next request
            conn.drain();
            conn.readMore();
        }
    }

    /** An Airlock-made response after the request was admitted (upstream failed or timed out): reported as such. */
    private void respondAfterAdmit(Problem p) {
        FullHttpResponse r = p.response(client.alloc(), HttpVersion.HTTP_1_1);
        r.headers().set(REQUEST_ID, id.toString());
        status = r.status().code();
        bytesOut = r.content().readableBytes();
        releaseBuffered();
        if (asyncEntry != null) {
            sink.whole(r);
            done();
            return;
        }
        if (!bodyComplete) {
            clientKeepAlive = false;
        }
        sink.whole(r);
        done();
    }

    /** A request that cannot be read: answer and close the connection (the decoder cannot resynchronise). */
    private void fail(Problem p, boolean close) {
        clientKeepAlive = !close && clientKeepAlive;
        refuse(p.with("request_id", id.toString()), null);
        if (state != ExchangeState.DONE) {
            clientKeepAlive = false;
            done();
        }
    }

    private void done() {
        if (state == ExchangeState.DONE) {
            return;
        }
        state = ExchangeState.DONE;
        if (responseTimer != null) {
            responseTimer.cancel(false);
        }
        releaseBuffered();
        if (admitted && command != null) {
            int s = status == 0 ? 502 : status;
            conn.bridge().report(held, command, new Outcome(-1, Duration.ofNanos(System.nanoTime() - forwardNanos),
                    errorCode, Integer.toString(s), bytesOut));
        }
        if (upstream != null) {
            detachUpstream(responseCompleteSeen && requestSent && responseKeepAlive && tunnel == null);
        }
        if (asyncEntry != null) {
            ((AsyncSink) sink).finish();
            conn.bridge().release(held);
            return;
        }
        if (tunnel == null) {
            conn.exchangeDone(this, clientKeepAlive);
        }
    }

    private void detachUpstream(boolean reuse) {
        Channel ch = upstream;
        upstream = null;
        if (ch == null) {
            return;
        }
        UpstreamHandler h = UpstreamHandler.of(ch);
        if (h != null) {
            h.attach(null);
        }
        if (reuse && upstreamPooled) {
            lc.pool(match.route().connection()).release(ch);
        } else {
            ch.close();
        }
    }

    private void closeUpstream() {
        detachUpstream(false);
    }

    private void releaseBuffered() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
    }

    // ================================================================ helpers

    static String bearer(HttpHeaders h) {
        List<String> all = h.getAll(HttpHeaderNames.AUTHORIZATION);
        if (all.size() != 1) {
            return null;
        }
        String v = all.get(0).trim();
        if (v.length() < 8 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = v.substring(7).trim();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~+/=".indexOf(c) >= 0;
            if (!ok) {
                return null; // not an RFC 6750 b64token
            }
        }
        return token.isEmpty() ? null : token;
    }

    /** The host of a Host header value (lower-case, without port), or {@code null} when it is not one. */
    static String hostName(String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        int end;
        if (a.startsWith("[")) {
            end = a.indexOf(']') + 1;
            if (end <= 2 || !all(a, 1, end - 1, "0123456789abcdef:.")) {
                return null;
            }
        } else {
            int colon = a.indexOf(':');
            end = colon < 0 ? a.length() : colon;
            if (end == 0 || !all(a, 0, end, "abcdefghijklmnopqrstuvwxyz0123456789.-_") || a.charAt(0) == '.' || a.charAt(0) == '-'
                    || a.charAt(end - 1) == '.' || a.charAt(end - 1) == '-') {
                return null;
            }
            int dots = a.indexOf("..");
            if (dots >= 0 && dots < end) {
                return null;
            }
        }
        if (end < a.length()) {
            if (a.charAt(end) != ':' || a.length() - end - 1 > 5 || !all(a, end + 1, a.length(), "0123456789")) {
                return null;
            }
        }
        return a.substring(0, end);
    }

    private static boolean all(String s, int from, int to, String allowed) {
        for (int i = from; i < to; i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String t = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return t.equals("application/json") || (t.startsWith("application/") && t.endsWith("+json"));
    }

    static boolean isWebSocketUpgrade(HttpRequest r) {
        return r.method() == HttpMethod.GET && r.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && r.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** {@code Prefer: respond-async} (RFC 7240), among other preferences. */
    static boolean prefersAsync(HttpHeaders h) {
        for (String v : h.getAll("prefer")) {
            for (String p : v.split(",")) {
                String name = p.split(";", 2)[0].trim();
                if (name.equalsIgnoreCase("respond-async")) {
                    return true;
                }
            }
        }
        return false;
    }

    static String message(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && (c.getMessage() == null || c instanceof io.netty.handler.codec.DecoderException)) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.length() <= 200 ? m : m.substring(0, 199) + "…";
    }

    // ================================================================ where the response goes

    /** Where the response goes: the agent's connection, or memory for a detached async request. */
    private interface Sink {
        boolean writable();

        void head(HttpResponse r);

        /** Takes ownership of {@code c}; {@code false} when the sink gave up and finished the exchange. */
        boolean content(HttpContent c);

        void flush();

        /** A response Airlock made itself. */
        void whole(FullHttpResponse r);
    }

    private final class ClientSink implements Sink {
        @Override
        public boolean writable() {
            return client.isWritable();
        }

        @Override
        public void head(HttpResponse r) {
            client.write(r, conn.promise(false));
        }

        @Override
        public boolean content(HttpContent c) {
            client.write(c, conn.promise(c instanceof LastHttpContent));
            return true;
        }

        @Override
        public void flush() {
            client.flush();
        }

        @Override
        public void whole(FullHttpResponse r) {
            conn.writeResponse(r, clientKeepAlive, request);
        }
    }

    /** Collects the response of a detached request for the agent to fetch, up to the listener's limit. */
    private final class AsyncSink implements Sink {
        private int code;
        private HttpHeaders headers;
        private CompositeByteBuf body;
        private AsyncRequests.Result result;

        @Override
        public boolean writable() {
            return true;
        }

        @Override
        public void head(HttpResponse r) {
            code = r.status().code();
            headers = r.headers().copy();
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING).remove(HttpHeaderNames.CONNECTION);
            body = client.alloc().compositeBuffer(64);
        }

        @Override
        public boolean content(HttpContent c) {
            try {
                if (body.readableBytes() + c.content().readableBytes() > lc.config().maxAsyncResponse()) {
                    body.release();
                    body = null;
                    errorCode = HttpError.RESPONSE_TOO_LARGE.code();
                    closeUpstream();
                    FullHttpResponse r = Problem.of(HttpError.RESPONSE_TOO_LARGE, "the upstream response is larger than "
                            + lc.config().maxAsyncResponse() + " bytes, the most Airlock holds for an async request; send the"
                            + " request without Prefer: respond-async").with("request_id", id.toString())
                            .response(client.alloc(), HttpVersion.HTTP_1_1);
                    status = r.status().code();
                    whole(r);
                    done();
                    return false;
                }
                if (c.content().isReadable()) {
                    body.addComponent(true, c.content().retain());
                }
                return true;
            } finally {
                c.release();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void whole(FullHttpResponse r) {
            try {
                byte[] b = new byte[r.content().readableBytes()];
                r.content().readBytes(b);
                HttpHeaders h = r.headers().copy();
                h.remove(HttpHeaderNames.CONNECTION);
                result = new AsyncRequests.Result(r.status().code(), h, b);
            } finally {
                r.release();
            }
        }

        void finish() {
            if (result == null) {
                if (body != null && code != 0) {
                    byte[] b = new byte[body.readableBytes()];
                    body.readBytes(b);
                    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
                    result = new AsyncRequests.Result(code, headers, b);
                } else {
                    FullHttpResponse r = Problem.of(HttpError.UPSTREAM_UNAVAILABLE, "the request failed upstream")
                            .with("request_id", id.toString()).response(client.alloc(), HttpVersion.HTTP_1_1);
                    whole(r);
                }
            }
            if (body != null) {
                body.release();
                body = null;
            }
            lc.async().complete(asyncEntry, result, client.eventLoop());
        }
    }
}
