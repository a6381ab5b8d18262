package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HeadTimer;
import dev.airlock.connectors.http.HttpPipelineConfigurator;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelInboundHandlerAdapter;
import dev.airlock.connectors.http.message.HttpError;
import dev.airlock.connectors.http.message.Problem;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent connection: the HTTP objects the codec decodes wait in arrival order and are handed to one
 * {@link Exchange} at a time (pipelined requests queue behind the current one). Reading is off; the connection
 * reads when the current exchange takes content, and otherwise a little ahead (up to {@value #READ_AHEAD} bytes)
 * so that an agent going away while its request is held is noticed and its approval cancelled.
 *
 * <p>Over HTTP/2 one of these serves each stream (its channel is the stream's child channel, the request arrives
 * converted to HTTP/1.1 objects): it shares the connection's {@link GateBridge}, and the connection itself is
 * counted, timed and closed by {@link Http2Connections}.
 */
public final class HttpConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);

    /** Bytes of decoded objects read ahead while the current exchange takes none. */
    static final int READ_AHEAD = 64 << 10;
    /** What a request head counts for in {@link #READ_AHEAD}. */
    static final int HEAD_WEIGHT = 512;

    private final ListenerContext lc;
    private final GateBridge sharedBridge;
    private final ArrayDeque<HttpObject> backlog = new ArrayDeque<>();
    private long backlogBytes;
    private Channel channel;
    private GateBridge bridge;
    private boolean tls;
    private Exchange current;
    private boolean draining;
    private boolean closed;
    private boolean counted;
    private boolean lastRequest;
    private HeadTimer headTimer;
    private ChannelPromise lastWrite;
    private boolean lastWriteEndsResponse;

    public HttpConnection(ListenerContext lc) {
        this.lc = lc;
        this.sharedBridge = null;
    }

    /** One HTTP/2 stream of a connection whose sessions {@code bridge} holds. */
    HttpConnection(ListenerContext lc, GateBridge bridge, boolean tls) {
        this.lc = lc;
        this.sharedBridge = bridge;
        this.tls = tls;
    }

    /**
     * HTTP/1.1: the current response is the connection's last (the listener shuts down, or the next request's head
     * is overdue), so it says {@code Connection: close}.
     */
    boolean lastRequest() {
        return lastRequest;
    }

    /** Whether this serves one HTTP/2 stream (no upgrades, no connection-level state of its own). */
    boolean http2() {
        return sharedBridge != null;
    }

    Channel channel() {
        return channel;
    }

    GateBridge bridge() {
        return bridge;
    }

    boolean tls() {
        return tls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        if (sharedBridge != null) {
            bridge = sharedBridge;
        } else {
            tls = ctx.pipeline().get(SslHandler.class) != null;
            bridge = new GateBridge(lc.gate(), channel, tls);
            headTimer = ctx.pipeline().get(HeadTimer.class);
        }
        if (channel.isActive()) {
            begin();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin();
        ctx.fireChannelActive();
    }

    private void begin() {
        if (counted) {
            return;
        }
        counted = true;
        if (http2()) {
            channel.read();
            return;
        }
        lc.opened();
        if (!tls && !isLoopback(channel)) {
            // a bearer token must not cross the network in clear; a plain listener serves loopback agents only
            log.warn("{}: plain-HTTP connection from a non-loopback address refused", channel);
            closed = true;
            channel.close();
            return;
        }
        lastRequest = lc.shuttingDown(); // accepted as the listener closed: one request, then close
        channel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (http2() && o instanceof HttpRequest r) {
            Http2Connections.normalise(r.headers());
            if (o instanceof FullHttpRequest f) {
                // a stream whose HEADERS ended it: head and (empty) body, as the HTTP/1.1 decoder hands them over
                queue(new DefaultHttpRequest(f.protocolVersion(), f.method(), f.uri(), f.headers()));
                o = new DefaultLastHttpContent(f.content(), f.trailingHeaders());
            }
        }
        if (headTimer != null) {
            headTimer.decoded(o);
        }
        queue(o);
        if (!draining) {
            drain();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientReadComplete();
        }
        readMore();
    }

    /** Hands queued objects to the current exchange while it takes them; starts the next exchange when idle. */
    void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!closed && !backlog.isEmpty()) {
                if (current == null) {
                    HttpObject o = poll();
                    if (o instanceof HttpRequest r) {
                        current = new Exchange(this, lc, r);
                        current.start();
                    } else {
                        ReferenceCountUtil.release(o); // content of a request already answered
                    }
                } else if (current.wantsContent()) {
                    HttpObject o = poll();
                    if (o instanceof HttpContent c) {
                        current.offer(c);
                    } else {
                        ReferenceCountUtil.release(o);
                        log.warn("{}: request head while the previous request's body was expected; closing", channel);
                        close();
                    }
                } else {
                    break;
                }
            }
        } finally {
            draining = false;
        }
    }

    private void queue(HttpObject o) {
        backlog.add(o);
        backlogBytes += weight(o);
    }

    private HttpObject poll() {
        HttpObject o = backlog.poll();
        backlogBytes -= weight(o);
        return o;
    }

    /** Asks for more bytes when the current exchange (or the next request) can use them. */
    void readMore() {
        if (closed || !channel.isActive()) {
            return;
        }
        boolean want = current == null || current.wantsContent() ? backlog.isEmpty() : backlogBytes < READ_AHEAD;
        if (want) {
            channel.read();
        }
    }

    /** Writes a whole response Airlock made, with the {@code Connection} header the agent needs. */
    void writeResponse(FullHttpResponse r, boolean keepAlive, HttpRequest request) {
        if (closed) {
            r.release();
            return;
        }
        if (!keepAlive || lastRequest) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().minorVersion() == 0) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        channel.writeAndFlush(r, promise(true));
    }

    /**
     * The promise for a write to the agent: the void one over HTTP/1.1; over HTTP/2 a real one, kept as the last
     * write, so that a stream is reset only once what was written ahead of the reset has gone out (a reset drops
     * DATA frames still waiting for flow-control window).
     */
    ChannelPromise promise(boolean endsResponse) {
        if (!http2()) {
            return channel.voidPromise();
        }
        lastWrite = channel.newPromise();
        lastWriteEndsResponse = endsResponse;
        return lastWrite;
    }

    /**
     * Ends the stream of an exchange that will not read the rest of the request: after a whole response, with a
     * {@code NO_ERROR} reset (RFC 9113 §8.1: stop sending, the response stands); after a cut-off one, with the
     * {@code CANCEL} reset closing the stream sends, so the agent does not take it for complete.
     */
    private void endStream() {
        ChannelPromise last = lastWrite;
        boolean complete = lastWriteEndsResponse;
        channel.flush();
        if (last == null) {
            channel.close();
            return;
        }
        last.addListener(f -> {
            if (f.isSuccess() && complete && channel.isActive()) {
                channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
            }
            channel.close();
        });
    }

    /** The current exchange has answered (and, unless detached, finished); take the next request or close. */
    void exchangeDone(Exchange e, boolean keepAlive) {
        if (current != e) {
            return;
        }
        current = null;
        if (!keepAlive || lastRequest) {
            closed = true;
            releaseBacklog();
            if (http2()) {
                endStream();
            } else if (channel.isActive()) {
                channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        channel.flush();
        drain();
        readMore();
    }

    /** The upgrade was admitted and the upstream switched: answer 101, drop the HTTP codec, relay bytes. */
    void switchToTunnel(FullHttpResponse switching, Tunnel tunnel) {
        channel.writeAndFlush(switching, channel.voidPromise());
        releaseBacklog();
        current = null;
        closed = true; // this handler is done; the tunnel owns the channel now
        channel.pipeline().remove(this);
        channel.pipeline().remove(HttpPipelineConfigurator.CODEC);
        for (String name : new String[] {HttpPipelineConfigurator.IDLE, HttpPipelineConfigurator.HEAD_TIMER}) {
            if (channel.pipeline().get(name) != null) {
                channel.pipeline().remove(name);
            }
        }
        Channel up = tunnel.upstream();
        for (String name : new String[] {UpstreamPool.HANDLER, UpstreamPool.IDLE, UpstreamPool.CODEC}) {
            if (up.pipeline().get(name) != null) {
                up.pipeline().remove(name);
            }
        }
        tunnel.start();
    }

    /** The WebSocket relay ended: the connection's sessions end with it. */
    void tunnelEnded() {
        end("websocket closed");
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ListenerContext.DRAIN) {
            lastRequest = true;
            if (current == null && backlog.isEmpty()) {
                log.debug("{}: listener shutting down; closing the idle connection", channel);
                close();
            }
            return;
        }
        if (evt == HeadTimer.EXPIRED) {
            headOverdue();
            return;
        }
        if (evt instanceof IdleStateEvent && current == null && backlog.isEmpty()) {
            log.debug("{}: idle; closing", channel);
            close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseBacklog();
        Exchange e = current;
        current = null;
        if (e != null) {
            e.clientGone();
        }
        end(e != null ? "client disconnected during a request" : "client disconnected");
        ctx.fireChannelInactive();
    }

    private void end(String reason) {
        if (http2()) {
            return; // the connection's sessions end with the connection (Http2Connections)
        }
        if (counted) {
            counted = false;
            lc.closed();
        }
        bridge.connectionClosed(reason);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (http2() && cause instanceof DecoderException && cause.getCause() instanceof Http2Exception h2) {
            // the stream's headers could not be taken as a request (an invalid field, a missing pseudo-header)
            log.debug("{}: malformed HTTP/2 request: {}", channel, h2.toString());
            if (current == null && !closed && channel.isActive()) {
                closed = true;
                releaseBacklog();
                FullHttpResponse r = Problem.of(HttpError.BAD_REQUEST, "malformed HTTP/2 request: " + Exchange.message(h2))
                        .response(channel.alloc(), HttpVersion.HTTP_1_1);
                channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            close();
            return;
        }
        if (cause instanceof ClosedChannelException || (cause instanceof IOException && !(cause instanceof SSLException))
                || (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof SSLException)) {
            log.debug("{}: {}", channel, cause.toString());
        } else {
            log.warn("{}: HTTP connection failed", channel, cause);
        }
        close();
    }

    /**
     * A request head did not arrive whole in time: {@code 408} (nothing was answered on it yet) and close; while a
     * request is still being served, its response becomes the connection's last instead.
     */
    private void headOverdue() {
        if (closed) {
            return;
        }
        if (current != null || !backlog.isEmpty()) {
            lastRequest = true;
            return;
        }
        lc.headTimedOut();
        if (!headTimer.partialHead()) {
            log.debug("{}: no request within {} of the connect; closing", channel, headTimer.timeout());
            close();
            return;
        }
        log.debug("{}: request head not received whole within {}; 408", channel, headTimer.timeout());
        closed = true;
        releaseBacklog();
        channel.writeAndFlush(HeadTimer.timeoutResponse(channel.alloc(), "request head", headTimer.timeout()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void close() {
        closed = true;
        releaseBacklog();
        channel.close();
    }

    private void releaseBacklog() {
        HttpObject o;
        while ((o = backlog.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
        backlogBytes = 0;
    }

    private static long weight(HttpObject o) {
        return o instanceof ByteBufHolder b ? b.content().readableBytes() : HEAD_WEIGHT;
    }

    /** A loopback TCP peer, or a transport that is local by nature (in-VM, Unix socket). */
    public static boolean isLoopback(Channel ch) {
        if (!(ch.remoteAddress() instanceof InetSocketAddress a)) {
            return true;
        }
        return a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }
}
