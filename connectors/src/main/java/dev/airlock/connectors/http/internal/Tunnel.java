package dev.airlock.connectors.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket connection after its upgrade was admitted: bytes relayed both ways as they are, reading one side
 * only while the other can take more (reading is off on both channels). When either side closes, the other is
 * flushed and closed, and the listener hears how many bytes went to the agent.
 */
final class Tunnel {

    private static final Logger log = LoggerFactory.getLogger(Tunnel.class);

    static final String HANDLER = "http-tunnel";

    private final Channel client;
    private final Channel upstream;
    private final LongConsumer onClose;
    private long toClient;
    private long toUpstream;
    private boolean closed;

    Tunnel(Channel client, Channel upstream, LongConsumer onClose) {
        this.client = client;
        this.upstream = upstream;
        this.onClose = onClose;
    }

    Channel upstream() {
        return upstream;
    }

    /** Installs the relay handlers (the HTTP codecs are already gone) and starts reading both sides. */
    void start() {
        client.pipeline().addLast(HANDLER, new Side(true));
        upstream.pipeline().addLast(HANDLER, new Side(false));
        if (!client.isActive() || !upstream.isActive()) {
            close();
            return;
        }
        client.read();
        upstream.read();
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Channel ch : new Channel[] {client, upstream}) {
            if (ch.isActive()) {
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
        log.debug("{}: websocket closed ({} bytes to the agent, {} to the upstream)", client, toClient, toUpstream);
        onClose.accept(toClient);
    }

    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean fromClient;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
        }

        private Channel peer() {
            return fromClient ? upstream : client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf b) || closed) {
                ReferenceCountUtil.release(msg); // e.g. the empty last content the HTTP decoder emitted with the 101
                return;
            }
            if (fromClient) {
                toUpstream += b.readableBytes();
            } else {
                toClient += b.readableBytes();
            }
            peer().write(b, peer().voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (closed) {
                return;
            }
            peer().flush();
            if (peer().isWritable()) {
                ctx.channel().read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!closed && ctx.channel().isWritable()) {
                peer().read();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: websocket relay: {}", ctx.channel(), cause.toString());
            close();
        }
    }
}
