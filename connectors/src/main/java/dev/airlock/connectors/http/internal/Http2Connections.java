package dev.airlock.connectors.http.internal;

import dev.airlock.connectors.http.HttpPipelineConfigurator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 from agents (RFC 9113). Netty's frame codec speaks the protocol (HPACK, flow control, stream states,
 * SETTINGS, the limits on resets and empty frames); each stream becomes a child channel whose frames are converted
 * to HTTP/1.1 objects, served by an {@link HttpConnection} of its own exactly as an HTTP/1.1 request is, so policy,
 * approvals, lineage and the upstream side (HTTP/1.1, pooled) do not know which version the agent spoke. A request
 * held for approval parks only its stream: the agent's other requests on the connection go on.
 *
 * <p>The connection-level handler counts the connection, holds the sessions its streams share (one verification per
 * token, as over HTTP/1.1), closes it when idle with no stream open, and ends the sessions when it closes.
 */
public final class Http2Connections {

    private static final Logger log = LoggerFactory.getLogger(Http2Connections.class);

    public static final String IDLE = "http2-idle";
    public static final String FRAMES = "http2-frames";
    public static final String STREAMS = "http2-streams";
    public static final String CONNECTION = "http2-connection";

    /** Headers {@link HttpConversionUtil} adds for HTTP/2's pseudo-headers and stream ids: never forwarded. */
    private static final List<CharSequence> EXTENSION_HEADERS = List.of(HttpConversionUtil.ExtensionHeaderNames.values())
            .stream().map(n -> (CharSequence) n.text()).toList();

    private Http2Connections() {
    }

    /**
     * Makes {@code p} (an agent connection after TLS, or in clear after the connection preface was seen) serve
     * HTTP/2, and turns reading on: flow control, not the read loop, bounds what each stream buffers.
     */
    public static void configure(ChannelPipeline p, ListenerContext lc, boolean tls) {
        Channel ch = p.channel();
        if (p.get(HttpPipelineConfigurator.HEAD_TIMER) != null) {
            p.remove(HttpPipelineConfigurator.HEAD_TIMER); // the preface came in time; requests arrive as whole frames
        }
        if (!lc.config().idleTimeout().isZero()) {
            p.addLast(IDLE, new IdleStateHandler(0, 0, lc.config().idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        }
        Http2FrameCodec frames = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(lc.config().maxConcurrentStreams())
                        .maxHeaderListSize(lc.config().maxHeaderSize()))
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(-1) // a GOAWAY waits for the open streams; AirlockServer bounds the wait
                .build();
        GateBridge bridge = new GateBridge(lc.gate(), ch, tls);
        p.addLast(FRAMES, frames);
        p.addLast(STREAMS, new Http2MultiplexHandler(new StreamInitializer(lc, bridge, tls)));
        p.addLast(CONNECTION, new ConnectionHandler(lc, bridge, frames));
        ch.config().setAutoRead(true);
    }

    /**
     * Removes what the HTTP/2 → HTTP/1.1 conversion added ({@code x-http2-scheme}, {@code x-http2-stream-id}, …).
     * (The conversion itself refuses a {@code Host} that names another host than {@code :authority}, and folds an
     * equal one into one field.)
     */
    static void normalise(HttpHeaders h) {
        for (CharSequence n : EXTENSION_HEADERS) {
            h.remove(n);
        }
    }

    /** Each stream: frames ↔ HTTP/1.1 objects, then an exchange handler of its own. */
    private static final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
        private final ListenerContext lc;
        private final GateBridge bridge;
        private final boolean tls;

        StreamInitializer(ListenerContext lc, GateBridge bridge, boolean tls) {
            this.lc = lc;
            this.bridge = bridge;
            this.tls = tls;
        }

        @Override
        protected void initChannel(Http2StreamChannel ch) {
            ch.config().setAutoRead(false);
            ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(lc.config().writeBufferLowWaterMark(),
                    lc.config().writeBufferHighWaterMark()));
            ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true));
            ch.pipeline().addLast(new HttpConnection(lc, bridge, tls));
        }
    }

    /** The connection as a whole: counted while open, closed when idle, its sessions ended with it. */
    private static final class ConnectionHandler extends ChannelInboundHandlerAdapter {
        private final ListenerContext lc;
        private final GateBridge bridge;
        private final Http2FrameCodec frames;
        private boolean counted;

        ConnectionHandler(ListenerContext lc, GateBridge bridge, Http2FrameCodec frames) {
            this.lc = lc;
            this.bridge = bridge;
            this.frames = frames;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            counted = true;
            lc.opened();
            if (lc.shuttingDown()) {
                ctx.channel().eventLoop().execute(ctx::close); // accepted as the listener closed
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ListenerContext.DRAIN) {
                log.debug("{}: listener shutting down; GOAWAY, the open streams finish", ctx.channel());
                ctx.close();
                return;
            }
            if (evt instanceof IdleStateEvent) {
                if (frames.connection().numActiveStreams() == 0) {
                    log.debug("{}: HTTP/2 connection idle; closing", ctx.channel());
                    ctx.close(); // GOAWAY, then close
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (counted) {
                counted = false;
                lc.closed();
            }
            bridge.connectionClosed("client disconnected");
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof ClosedChannelException || cause instanceof Http2Exception
                    || (cause instanceof IOException && !(cause instanceof SSLException))) {
                log.debug("{}: {}", ctx.channel(), cause.toString());
            } else {
                log.warn("{}: HTTP/2 connection failed", ctx.channel(), cause);
            }
            ctx.close();
        }
    }
}
