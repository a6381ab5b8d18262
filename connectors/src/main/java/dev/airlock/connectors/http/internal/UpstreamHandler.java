package dev.airlock.connectors.http.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every upstream channel: hands what the upstream sends to the exchange that borrowed the
 * channel. While the channel is idle in the pool, anything but a close is a protocol error: the channel is closed.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    /** What an exchange hears from its upstream channel; called on the channel's event loop. */
    interface Listener {
        void upstreamRead(Object msg);

        void upstreamReadComplete();

        void upstreamWritabilityChanged();

        void upstreamClosed();

        void upstreamFailed(Throwable cause);
    }

    private Listener listener;

    static UpstreamHandler of(Channel ch) {
        return (UpstreamHandler) ch.pipeline().get(UpstreamPool.HANDLER);
    }

    void attach(Listener l) {
        this.listener = l;
    }

    /** Back in the pool: keep a read pending so that an upstream close is noticed while idle. */
    void idle() {
        listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener l = listener;
        if (l == null) {
            ReferenceCountUtil.release(msg);
            log.debug("{}: upstream sent data on an idle connection; closing it", ctx.channel());
            ctx.close();
            return;
        }
        l.upstreamRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener l = listener;
        if (l != null) {
            l.upstreamWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener l = listener;
        listener = null;
        if (l != null) {
            l.upstreamClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Listener l = listener;
        if (l != null) {
            l.upstreamFailed(cause);
        } else {
            log.debug("{}: idle upstream connection failed: {}", ctx.channel(), cause.toString());
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
