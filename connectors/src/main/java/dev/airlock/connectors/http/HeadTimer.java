package dev.airlock.connectors.http;

import dev.airlock.connectors.http.message.HttpError;
import dev.airlock.connectors.http.message.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request head timeout of an HTTP/1.1 server connection (slow-header defence): sits in front of the HTTP decoder,
 * sees the bytes as they arrive and starts the clock at the first byte of each request head (a new connection's first
 * request: at the connect, so that a TLS handshake and the choice of protocol count too). A handler after the decoder
 * shows it what was decoded ({@link #decoded(Object)}): a request head stops the clock, the end of the request makes
 * the next byte start it again. A trickle of bytes does not restart it, unlike an idle timeout.
 *
 * <p>On expiry it sends {@link #EXPIRED} down the pipeline: the handler there answers {@code 408} (see
 * {@link #partialHead()}) or closes. {@link Responder} is that handler for simple servers.
 */
public final class HeadTimer extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HeadTimer.class);

    /** The user event of an expired head timeout. */
    public static final Object EXPIRED = new Object() {
        @Override
        public String toString() {
            return "request head timeout";
        }
    };

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean awaitingHead = true;
    private boolean bytesOfHead;
    /** When the head being awaited started ({@link System#nanoTime()}), or {@code -1}: no head is being timed. */
    private long headStart = -1;

    public HeadTimer(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.timeoutNanos = timeout.toNanos();
    }

    /** The configured timeout, for messages. */
    public Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (awaitingHead && msg instanceof ByteBuf b && b.isReadable()) {
            bytesOfHead = true;
            start(); // at the first byte of the next request's head; running already for later ones
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether part of a request head has arrived and the rest has not (so a {@code 408} answers something). */
    public boolean partialHead() {
        return awaitingHead && bytesOfHead;
    }

    /**
     * What the decoder made of the bytes, as the handler after it sees it: a request head (its body is not timed
     * here) or the end of a request (the next byte begins the next head). A whole request is both.
     */
    public void decoded(Object msg) {
        if (msg instanceof HttpRequest) {
            awaitingHead = false;
            bytesOfHead = false;
            headStart = -1; // the scheduled check stays: keep-alive requests do not schedule one each
        }
        if (msg instanceof LastHttpContent) {
            awaitingHead = true;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void start() {
        if (!awaitingHead || headStart >= 0) {
            return;
        }
        headStart = System.nanoTime();
        if (timer == null) {
            schedule(timeoutNanos);
        }
    }

    private void schedule(long nanos) {
        timer = ctx.executor().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Fires for the head that started first since it was scheduled; re-arms for one that started later. */
    private void check() {
        timer = null;
        if (headStart < 0 || !ctx.channel().isActive() || ctx.isRemoved()) {
            return; // no head pending: the next one schedules again
        }
        long left = headStart + timeoutNanos - System.nanoTime();
        if (left > 0) {
            schedule(left);
            return;
        }
        headStart = -1;
        ctx.fireUserEventTriggered(EXPIRED);
    }

    /**
     * For a server that takes whole requests (after an {@code HttpObjectAggregator}): times each request from its
     * first byte to its end, answers an overdue one {@code 408} and closes; closes the connection on an
     * {@link IdleStateEvent} too. Put the {@link HeadTimer} before the decoder.
     */
    public static final class Responder extends ChannelInboundHandlerAdapter {
        private HeadTimer timer;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            timer = ctx.pipeline().get(HeadTimer.class);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (timer != null) {
                timer.decoded(msg);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == EXPIRED) {
                if (timer.partialHead()) {
                    log.debug("{}: request not received whole within {}; 408", ctx.channel(), timer.timeout());
                    ctx.writeAndFlush(timeoutResponse(ctx.alloc(), "request", timer.timeout())).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
                return;
            }
            if (evt instanceof IdleStateEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * The {@code 408} problem response, with {@code Connection: close}, for {@code what} (the request head, the
     * request) not received whole within {@code timeout}.
     */
    public static FullHttpResponse timeoutResponse(ByteBufAllocator alloc, String what, Duration timeout) {
        FullHttpResponse r = Problem.of(HttpError.REQUEST_TIMEOUT, "the " + what + " did not arrive whole within "
                + timeout.toMillis() + " ms").response(alloc, HttpVersion.HTTP_1_1);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }
}
