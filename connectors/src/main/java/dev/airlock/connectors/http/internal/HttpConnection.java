package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HttpPipelineConfigurator;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
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
 */
public final class HttpConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);

    /** Bytes of decoded objects read ahead while the current exchange takes none. */
    static final int READ_AHEAD = 64 << 10;
    /** What a request head counts for in {@link #READ_AHEAD}. */
    static final int HEAD_WEIGHT = 512;

    private final ListenerContext lc;
    private final ArrayDeque<HttpObject> backlog = new ArrayDeque<>();
    private long backlogBytes;
    private Channel channel;
    private GateBridge bridge;
    private boolean tls;
    private Exchange current;
    private boolean draining;
    private boolean closed;
    private boolean counted;

    public HttpConnection(ListenerContext lc) {
        this.lc = lc;
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
        tls = ctx.pipeline().get(SslHandler.class) != null;
        bridge = new GateBridge(lc.gate(), channel, tls);
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
        lc.opened();
        if (!tls && !isLoopback(channel)) {
            // a bearer token must not cross the network in clear; a plain listener serves loopback agents only
            log.warn("{}: plain-HTTP connection from a non-loopback address refused", channel);
            closed = true;
            channel.close();
            return;
        }
        channel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        backlog.add(o);
        backlogBytes += weight(o);
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
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().minorVersion() == 0) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        channel.writeAndFlush(r, channel.voidPromise());
    }

    /** The current exchange has answered (and, unless detached, finished); take the next request or close. */
    void exchangeDone(Exchange e, boolean keepAlive) {
        if (current != e) {
            return;
        }
        current = null;
        if (!keepAlive) {
            closed = true;
            releaseBacklog();
            if (channel.isActive()) {
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
        if (channel.pipeline().get(HttpPipelineConfigurator.IDLE) != null) {
            channel.pipeline().remove(HttpPipelineConfigurator.IDLE);
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
        if (counted) {
            counted = false;
            lc.closed();
        }
        bridge.connectionClosed(reason);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ClosedChannelException || (cause instanceof IOException && !(cause instanceof SSLException))
                || (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof SSLException)) {
            log.debug("{}: {}", channel, cause.toString());
        } else {
            log.warn("{}: HTTP connection failed", channel, cause);
        }
        close();
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
    private static boolean isLoopback(Channel ch) {
        if (!(ch.remoteAddress() instanceof InetSocketAddress a)) {
            return true;
        }
        return a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }
}
