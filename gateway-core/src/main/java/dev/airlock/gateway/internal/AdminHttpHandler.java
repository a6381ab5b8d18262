package dev.airlock.gateway.internal;

import dev.airlock.approvals.HttpCall;
import dev.airlock.approvals.HttpReply;
import dev.airlock.approvals.PlainHttpHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes of the admin listener: {@code /healthz}, {@code /readyz}, {@code /metrics}, the approvals REST API and,
 * when configured, the Slack interactivity endpoint and the approval web page ({@code /approvals}). Anything that touches the lineage store or verifies a token
 * runs on {@code blocking} and writes its answer back on the channel's event loop.
 */
@ChannelHandler.Sharable
public final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);

    /** Where the approval web page lives (when enabled). */
    public static final String WEB_PATH = "/approvals";

    private final BooleanSupplier ready;
    private final Supplier<String> metrics;
    private final ApprovalsApi approvals;
    private final Map<String, PlainHttpHandler> chat;
    private final PlainHttpHandler web;
    private final Executor blocking;

    /**
     * @param chat chat endpoints by exact path: Slack's interactivity endpoint (http mode), the Teams bot's
     *             messaging endpoint
     * @param web  the approval web page, or {@code null}
     */
    public AdminHttpHandler(BooleanSupplier ready, Supplier<String> metrics, ApprovalsApi approvals,
                            Map<String, PlainHttpHandler> chat, PlainHttpHandler web, Executor blocking) {
        this.ready = ready;
        this.metrics = metrics;
        this.approvals = approvals;
        this.chat = Map.copyOf(chat);
        this.web = web;
        this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        String method = req.method().name();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        switch (path) {
            case "/healthz" -> respond(ctx, keepAlive, HttpReply.text(200, "ok\n"));
            case "/readyz" -> respond(ctx, keepAlive, ready.getAsBoolean() ? HttpReply.text(200, "ready\n")
                    : HttpReply.text(503, "not ready: the lineage store is unreachable\n"));
            case "/metrics" -> {
                byte[] text = metrics.get().getBytes(StandardCharsets.UTF_8);
                respond(ctx, keepAlive, new HttpReply(200, "text/plain; version=0.0.4; charset=utf-8", text));
            }
            default -> {
                byte[] body = ByteBufUtil.getBytes(req.content());
                if (path.equals(ApprovalsApi.PREFIX) || path.startsWith(ApprovalsApi.PREFIX + "/")) {
                    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
                    String client = req.headers().get(ApprovalsApi.CLIENT_HEADER);
                    offload(ctx, keepAlive, () -> approvals.handle(method, path, auth, body, client));
                } else if (chat.containsKey(path)) {
                    HttpCall call = call(ctx, req, path, body);
                    PlainHttpHandler endpoint = chat.get(path);
                    offload(ctx, keepAlive, () -> endpoint.handle(call));
                } else if (web != null && (path.equals(WEB_PATH) || path.startsWith(WEB_PATH + "/"))) {
                    HttpCall call = call(ctx, req, path, body);
                    offload(ctx, keepAlive, () -> web.handle(call));
                } else {
                    respond(ctx, keepAlive, ApprovalsApi.problem(404, "not found", path));
                }
            }
        }
    }

    private static HttpCall call(ChannelHandlerContext ctx, FullHttpRequest req, String path, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        req.headers().forEach(e -> headers.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        int q = req.uri().indexOf('?');
        return new HttpCall(req.method().name(), path, q < 0 ? null : req.uri().substring(q + 1), headers, body,
                String.valueOf(ctx.channel().remoteAddress()));
    }

    private void offload(ChannelHandlerContext ctx, boolean keepAlive, Supplier<HttpReply> work) {
        try {
            blocking.execute(() -> {
                HttpReply reply;
                try {
                    reply = work.get();
                } catch (RuntimeException e) {
                    log.warn("admin request failed", e);
                    reply = ApprovalsApi.problem(500, "internal error", "see the Airlock log");
                }
                HttpReply r = reply;
                ctx.channel().eventLoop().execute(() -> respond(ctx, keepAlive, r));
            });
        } catch (RejectedExecutionException e) {
            respond(ctx, false, ApprovalsApi.problem(503, "unavailable", "Airlock is shutting down"));
        }
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                Unpooled.wrappedBuffer(reply.body()));
        if (reply.contentType() != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        }
        reply.headers().forEach(h -> res.headers().add(h.getKey(), h.getValue()));
        HttpUtil.setContentLength(res, reply.body().length);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (!ctx.channel().isActive()) {
            res.release();
            return;
        }
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
