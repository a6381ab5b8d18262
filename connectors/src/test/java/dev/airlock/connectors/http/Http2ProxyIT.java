package dev.airlock.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.policy.HttpAction;
import dev.airlock.testing.GatedPublisher;
import dev.airlock.testing.HttpUpstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 agents: the JDK HTTP client over TLS (ALPN {@code h2}), and a Netty HTTP/2 client in clear text with prior
 * knowledge for what the JDK client will not send (malformed and hostile requests). The upstream stays HTTP/1.1.
 */
class Http2ProxyIT {

    static HttpUpstream upstream;
    static HttpTestGate gate;
    static io.netty.handler.ssl.SslContext serverTls;
    static HttpProxyServer tlsProxy;
    static HttpProxyServer plainProxy;
    static HttpClient h2;
    static HttpClient h1;
    static EventLoopGroup clientGroup;
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        upstream = new HttpUpstream();
        gate = new HttpTestGate();
        X509Bundle cert = new CertificateBuilder().subject("CN=localhost").addSanIpAddress("127.0.0.1")
                .setIsCertificateAuthority(true).buildSelfSigned();
        io.netty.handler.ssl.SslContext server = SslContextBuilder.forServer(cert.getKeyPair().getPrivate(), cert.getCertificatePath())
                .applicationProtocolConfig(HttpPipelineConfigurator.alpn(true))
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE).build();
        List<HttpRoute> routes = List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/")));
        serverTls = server;
        tlsProxy = new HttpProxyServer(HttpListenerConfig.defaults(server, routes, null), gate);
        plainProxy = new HttpProxyServer(HttpListenerConfig.defaults(null, routes, null), gate);
        SSLContext trust = SSLContext.getInstance("TLS");
        trust.init(null, cert.toTrustManagerFactory().getTrustManagers(), null);
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trust).build();
        h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).build();
        clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tlsProxy, plainProxy, upstream}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (clientGroup != null) {
            clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + tlsProxy.port() + path))
                .header("Authorization", "Bearer " + HttpTestGate.TOKEN).timeout(Duration.ofSeconds(20));
    }

    static Outcome nextOutcome() throws InterruptedException {
        return gate.nextOutcome();
    }

    @Test
    void servesHttp2OverTlsAndForwardsHttp11() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = h2.send(request("/echo/h2?x=1").header("X-Forwarded-For", "6.6.6.6").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        HttpUpstream.Seen seen = upstream.next();
        assertThat(seen.uri()).isEqualTo("/echo/h2?x=1");
        assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("https");
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.header("x-forwarded-host")).isEqualTo("127.0.0.1:" + tlsProxy.port());
        assertThat(seen.headers().keySet()).as("HTTP/2 conversion headers stay inside Airlock")
                .noneMatch(n -> n.startsWith("x-http2-")).doesNotContain("authorization");
        assertThat(seen.header("x-request-id")).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(r.headers().firstValue("connection")).isEmpty();
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
        assertThat(nextOutcome().tag()).isEqualTo("200");
    }

    @Test
    void tlsListenerStillServesHttp11Agents() throws Exception {
        HttpResponse<String> r = h1.send(request("/echo/h1").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.statusCode()).isEqualTo(200);
        nextOutcome();
    }

    @Test
    void aHeldRequestParksOnlyItsStream() throws Exception {
        h2.send(request("/echo/warm").build(), HttpResponse.BodyHandlers.ofString()); // the connection and its session
        nextOutcome();
        int sessions = gate.sessions.get();
        CompletableFuture<HttpResponse<String>> held = h2.sendAsync(request("/echo/held").header("x-hold", "1")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 500}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        assertThat(((HttpAction) h.command().action()).jsonBody().get("amount").asInt()).isEqualTo(500);
        // the same agent, the same connection, another stream: not behind the held one
        HttpResponse<String> other = h2.send(request("/echo/meanwhile").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.version()).isEqualTo(HttpClient.Version.HTTP_2);
        nextOutcome();
        assertThat(held).isNotDone();
        h.verdict().complete(Verdict.ALLOW);
        HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("airlock-approval-request")).contains("apr-7");
        assertThat(json.readTree(r.body()).get("body").asText()).isEqualTo("{\"amount\": 500}");
        nextOutcome();
        assertThat(gate.sessions.get()).as("one verified session for every stream of the connection").isEqualTo(sessions);
    }

    @Test
    void answersRespondAsyncWith202AndTheResultOutlivesTheStream() throws Exception {
        HttpResponse<String> accepted = h2.send(request("/echo/async-h2").header("x-hold", "1").header("Prefer", "respond-async")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\": 2}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("location").orElseThrow();
        HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        h.verdict().complete(Verdict.ALLOW); // the request's stream ended with the 202 long ago
        nextOutcome();
        HttpResponse<String> done = h2.send(request(location).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json.readTree(done.body()).get("body").asText()).isEqualTo("{\"n\": 2}");
    }

    @Test
    void streamsServerSentEventsOneByOne() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> r = h2.send(request("/sse?n=2").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        java.util.Iterator<String> lines = r.body().iterator();
        assertThat(List.of(lines.next(), lines.next(), lines.next())).containsExactly("id: 1", "data: event 1", "");
        upstream.sseGate.release(); // event 2 is sent only now: event 1 came through on its own
        assertThat(List.of(lines.next(), lines.next(), lines.next())).containsExactly("id: 2", "data: event 2", "");
        upstream.sseGate.release();
        assertThat(lines.hasNext()).isFalse();
        nextOutcome();
    }

    @Test
    void deniesWithProblemDetails() throws Exception {
        HttpResponse<String> r = h2.send(request("/echo/x").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("rule_id").asText()).isEqualTo("no-deletes");
        HttpResponse<String> bad = h2.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + tlsProxy.port() + "/echo/x"))
                .header("Authorization", "Bearer forged").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).contains("invalid_token"));
    }

    @Test
    void streamsALargeUploadUnderFlowControl() throws Exception {
        upstream.uploadStarted = new java.util.concurrent.CountDownLatch(1);
        long total = 8L << 20;
        HttpResponse<String> r = h2.send(request("/upload").POST(new GatedPublisher(total, 1 << 20, upstream.uploadStarted))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json.readTree(r.body()).get("bytes").asLong()).isEqualTo(total);
        nextOutcome();
    }

    @Test
    void streamsALargeResponse() throws Exception {
        HttpResponse<byte[]> r = h2.send(request("/big?bytes=" + (4 << 20)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(4 << 20);
        assertThat(nextOutcome().bytes()).isEqualTo(4 << 20);
    }

    // ================================================================ clear text, prior knowledge (Netty client)

    @Test
    void servesPriorKnowledgeInClearAndEndsTheSessionWithTheConnection() throws Exception {
        try (H2Client c = new H2Client(plainProxy.port())) {
            Answer a = c.send(headers("GET", "/echo/prior"), null);
            assertThat(a.status()).isEqualTo("200");
            assertThat(json.readTree(a.body()).get("uri").asText()).isEqualTo("/echo/prior");
            nextOutcome();
            gate.closed.clear();
        }
        assertThat(gate.closed.poll(10, TimeUnit.SECONDS)).isEqualTo("client disconnected");
    }

    @Test
    void refusesHeaderInjectionAcrossTheDowngrade() throws Exception {
        upstream.seen.clear();
        // each malformed request gets no answer (its stream is reset, RFC 9113 §8.1.1); Netty's codec may also end the
        // connection when the client goes on sending on the stream it reset, so each one has a connection of its own
        Map<String, Answer> refused = new java.util.LinkedHashMap<>();
        refused.put("a CR LF in a field value", send(headers("GET", "/echo/inject").add("x-note", "a\r\nx-injected: 1"), null));
        refused.put("transfer-encoding, connection-specific", send(headers("POST", "/echo/te").add("transfer-encoding", "chunked"),
                Unpooled.copiedBuffer("0\r\n\r\nGET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII)));
        refused.put("connection, connection-specific", send(headers("GET", "/echo/conn").add("connection", "keep-alive"), null));
        refused.put("an upper-case field name", send(headers("GET", "/echo/upper").add("X-Upper", "1"), null));
        refused.forEach((what, a) -> {
            assertThat(a.status()).as(what).isNull();
            assertThat(a.reset()).as(what + ": PROTOCOL_ERROR").isEqualTo(io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR.code());
        });
        try (H2Client c = new H2Client(plainProxy.port())) {
            Answer twoHosts = c.send(headers("GET", "/echo/hosts").add("host", "elsewhere.example"), null);
            assertThat(twoHosts.status()).isEqualTo("400");
            assertThat(twoHosts.body()).contains("malformed HTTP/2 request: Conflicting ':authority' and 'host' headers");
            Answer sameHost = c.send(headers("GET", "/echo/same-host").add("host", "127.0.0.1:" + plainProxy.port()), null);
            assertThat(sameHost.status()).isEqualTo("200");
            nextOutcome();
            assertThat(c.send(headers("GET", "/echo/after"), null).status()).as("the connection goes on after a 400").isEqualTo("200");
            nextOutcome();
        }
        HttpUpstream.Seen s;
        while ((s = upstream.seen.poll()) != null) {
            assertThat(s.headers()).doesNotContainKey("x-injected");
            assertThat(s.uri()).isIn("/echo/same-host", "/echo/after");
        }
    }

    static Answer send(Http2Headers headers, ByteBuf body) throws Exception {
        try (H2Client c = new H2Client(plainProxy.port())) {
            return c.send(headers, body);
        }
    }

    @Test
    void anAgentResettingAHeldStreamCancelsItsApproval() throws Exception {
        try (H2Client c = new H2Client(plainProxy.port())) {
            Http2StreamChannel held = c.open(headers("POST", "/echo/held").add("x-hold", "1"),
                    Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII), new CompletableFuture<>());
            HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
            assertThat(h).isNotNull();
            held.close(); // RST_STREAM (CANCEL)
            dev.airlock.testing.Await.await(() -> java.util.Optional.of(true).filter(x -> h.verdict().isCancelled()));
            assertThat(c.send(headers("GET", "/echo/still-there"), null).status()).isEqualTo("200");
            nextOutcome();
        }
    }

    @Test
    void answersARefusedRequestWhoseBodyIsStillComingThenStopsIt() throws Exception {
        try (H2Client c = new H2Client(plainProxy.port())) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            CompletableFuture<Long> reset = new CompletableFuture<>();
            c.open(headers("DELETE", "/echo/x").setInt("content-length", 1 << 20), Unpooled.wrappedBuffer(new byte[1024]), false,
                    answer, reset);
            Answer a = answer.get(10, TimeUnit.SECONDS);
            assertThat(a.status()).isEqualTo("403");
            assertThat(a.body()).contains("no-deletes");
            assertThat(reset.get(10, TimeUnit.SECONDS)).as("NO_ERROR: stop sending, the response stands (RFC 9113 §8.1)").isZero();
            assertThat(c.send(headers("GET", "/echo/next"), null).status()).isEqualTo("200");
            nextOutcome();
        }
    }

    @Test
    void shutsDownWithGoAwayLettingOpenStreamsFinish() throws Exception {
        List<HttpRoute> routes = List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/")));
        try (HttpProxyServer own = new HttpProxyServer(HttpListenerConfig.defaults(null, routes, null), gate);
             H2Client idle = new H2Client(own.port());
             H2Client busy = new H2Client(own.port())) {
            assertThat(idle.send(headers("GET", "/echo/idle"), null).status()).isEqualTo("200");
            nextOutcome();
            CompletableFuture<Answer> held = new CompletableFuture<>();
            busy.open(headers("POST", "/echo/held").add("x-hold", "1"), Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII), held);
            HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
            assertThat(h).isNotNull();

            own.configurator.shutdown();
            assertThat(idle.parent.closeFuture().await(10, TimeUnit.SECONDS)).as("GOAWAY and close, no stream open").isTrue();
            assertThat(busy.parent.isActive()).as("its stream still open").isTrue();
            h.verdict().complete(Verdict.ALLOW);
            assertThat(held.get(10, TimeUnit.SECONDS).status()).isEqualTo("200");
            nextOutcome();
            assertThat(busy.parent.closeFuture().await(10, TimeUnit.SECONDS)).as("closed once its last stream ended").isTrue();
            dev.airlock.testing.Await.await(() -> java.util.Optional.of(true).filter(x -> own.configurator.activeConnections() == 0));
        }
    }

    @Test
    void theHeadTimeoutClosesConnectionsStuckBeforeTheProtocolIsKnown() throws Exception {
        List<HttpRoute> routes = List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/")));
        try (HttpProxyServer tlsOwn = new HttpProxyServer(HttpListenerConfig.defaults(serverTls, routes, null)
                     .withHeaderTimeout(Duration.ofMillis(300)), gate);
             HttpProxyServer plainOwn = new HttpProxyServer(HttpListenerConfig.defaults(null, routes, null)
                     .withHeaderTimeout(Duration.ofMillis(300)), gate);
             java.net.Socket noHello = new java.net.Socket("127.0.0.1", tlsOwn.port());
             java.net.Socket halfPreface = new java.net.Socket("127.0.0.1", plainOwn.port())) {
            noHello.setSoTimeout(10_000);
            halfPreface.setSoTimeout(10_000);
            // TLS: connected, no ClientHello (the TLS handler's own handshake timeout is 10 s)
            long started = System.nanoTime();
            assertThat(noHello.getInputStream().read()).isEqualTo(-1);
            // in clear: the first half of the HTTP/2 preface, then nothing
            halfPreface.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(halfPreface.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void closesAConnectionIdleWithNoStreamOpen() throws Exception {
        List<HttpRoute> routes = List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/")));
        try (HttpProxyServer idle = new HttpProxyServer(HttpListenerConfig.defaults(null, routes, null)
                .withIdleTimeout(Duration.ofMillis(300)), gate);
             H2Client c = new H2Client(idle.port())) {
            assertThat(c.send(headers("GET", "/echo/idle"), null).status()).isEqualTo("200");
            nextOutcome();
            assertThat(c.parent.closeFuture().await(10, TimeUnit.SECONDS)).as("closed by Airlock").isTrue();
            dev.airlock.testing.Await.await(() -> java.util.Optional.of(true).filter(x -> idle.configurator.activeConnections() == 0));
        }
    }

    @Test
    void answersARequestWithoutAuthorityWith400() throws Exception {
        try (H2Client c = new H2Client(plainProxy.port())) {
            Http2Headers h = new DefaultHttp2Headers(false).method("GET").path("/echo/x").scheme("http")
                    .add("authorization", "Bearer " + HttpTestGate.TOKEN);
            Answer a = c.send(h, null);
            assertThat(a.status()).isEqualTo("400");
            assertThat(a.body()).contains("without :authority");
        }
    }

    static Http2Headers headers(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("http").authority("127.0.0.1:" + plainProxy.port())
                .add("authorization", "Bearer " + HttpTestGate.TOKEN);
    }

    /** What came back on one stream: a status and body, or a reset's error code. */
    record Answer(String status, String body, long reset) {
    }

    /** A bare HTTP/2 client (prior knowledge, no header validation): sends what it is given. */
    static final class H2Client implements AutoCloseable {
        final Channel parent;

        H2Client(int port) throws InterruptedException {
            parent = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().validateHeaders(false).build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                }
            }).connect("127.0.0.1", port).sync().channel();
        }

        Answer send(Http2Headers headers, ByteBuf body) throws Exception {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            open(headers, body, answer);
            return answer.get(10, TimeUnit.SECONDS);
        }

        /** Opens a stream and sends the whole request on it; {@code answer} completes with what comes back. */
        Http2StreamChannel open(Http2Headers headers, ByteBuf body, CompletableFuture<Answer> answer) throws Exception {
            return open(headers, body, true, answer, new CompletableFuture<>());
        }

        /** {@code end}: the request ends with {@code body}; {@code reset}: the code of a reset received, if one is. */
        Http2StreamChannel open(Http2Headers headers, ByteBuf body, boolean end, CompletableFuture<Answer> answer,
                                CompletableFuture<Long> reset) throws Exception {
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(parent).handler(new ChannelInboundHandlerAdapter() {
                private String status;
                private final StringBuilder text = new StringBuilder();

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    try {
                        if (msg instanceof Http2HeadersFrame f) {
                            if (status == null) {
                                status = String.valueOf(f.headers().status());
                            }
                            if (f.isEndStream()) {
                                answer.complete(new Answer(status, text.toString(), -1));
                            }
                        } else if (msg instanceof Http2DataFrame d) {
                            text.append(d.content().toString(StandardCharsets.UTF_8));
                            if (d.isEndStream()) {
                                answer.complete(new Answer(status, text.toString(), -1));
                            }
                        } else if (msg instanceof Http2ResetFrame r) {
                            reset.complete(r.errorCode());
                            answer.complete(new Answer(status, text.toString(), r.errorCode()));
                        }
                    } finally {
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt instanceof Http2ResetFrame r) { // Netty hands a stream its resets as events
                        reset.complete(r.errorCode());
                        answer.complete(new Answer(status, text.toString(), r.errorCode()));
                    }
                    ctx.fireUserEventTriggered(evt);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    answer.complete(new Answer(status, text.toString(), -2));
                }
            }).open().sync().getNow();
            stream.write(new DefaultHttp2HeadersFrame(headers, body == null && end));
            if (body != null) {
                stream.write(new DefaultHttp2DataFrame(body, end));
            }
            stream.flush();
            return stream;
        }

        @Override
        public void close() {
            parent.close().syncUninterruptibly();
        }
    }
}
