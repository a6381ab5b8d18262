package dev.airlock.connectors.http;

import dev.airlock.testing.GatedPublisher;
import static dev.airlock.testing.RawHttp.readHead;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.connectors.spi.Outcome;
import dev.airlock.connectors.spi.Verdict;
import dev.airlock.testing.HttpUpstream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JDK HTTP client → the HTTP connector (with a test gate) → a real Netty upstream. */
class HttpProxyIT {

    static HttpUpstream upstream;
    static HttpUpstream tlsUpstream;
    static HttpProxyServer proxy;
    static HttpTestGate gate;
    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper json = new ObjectMapper();
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = new HttpUpstream();
        gate = new HttpTestGate();
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        URI base = URI.create("http://127.0.0.1:" + upstream.port() + "/");
        io.netty.pkitesting.X509Bundle ca = new io.netty.pkitesting.CertificateBuilder().subject("CN=Test CA")
                .setIsCertificateAuthority(true).buildSelfSigned();
        io.netty.pkitesting.X509Bundle leaf = new io.netty.pkitesting.CertificateBuilder().subject("CN=localhost")
                .addSanDnsName("localhost").buildIssuedBy(ca);
        tlsUpstream = new HttpUpstream(io.netty.handler.ssl.SslContextBuilder.forServer(leaf.getKeyPair().getPrivate(),
                leaf.getCertificatePath()).build());
        URI tlsBase = URI.create("https://localhost:" + tlsUpstream.port() + "/");
        io.netty.handler.ssl.SslContext trustsCa = io.netty.handler.ssl.SslContextBuilder.forClient()
                .trustManager(ca.getCertificate()).build();
        io.netty.handler.ssl.SslContext jdkTrust = io.netty.handler.ssl.SslContextBuilder.forClient().build();
        List<HttpRoute> routes = List.of(
                HttpRoute.of("secure", tlsBase, trustsCa).withPathPrefix("/secure"),
                HttpRoute.of("untrusted", tlsBase, jdkTrust).withPathPrefix("/untrusted"),
                HttpRoute.of("api", base).withCredentialHeaders(Map.of("Authorization", "Bearer upstream-secret", "X-Api-Key", "k-1")),
                HttpRoute.of("slow", base).withPathPrefix("/slow").withResponseTimeout(Duration.ofMillis(300)),
                HttpRoute.of("down", URI.create("http://127.0.0.1:" + deadPort)).withPathPrefix("/down"));
        proxy = new HttpProxyServer(HttpListenerConfig.defaults(null, routes, null), gate);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (tlsUpstream != null) {
            tlsUpstream.close();
        }
    }

    @Test
    void verifiesHttpsUpstreamsAgainstTheConfiguredTrust() throws Exception {
        HttpResponse<String> ok = client.send(request("/secure/echo/tls").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json.readTree(ok.body()).get("headers").get("host").get(0).asText()).isEqualTo("localhost:" + tlsUpstream.port());
        nextOutcome();
        HttpResponse<String> bad = client.send(request("/untrusted/echo/tls").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(502);
        assertThat(json.readTree(bad.body()).get("detail").asText()).contains("unavailable");
        assertThat(nextOutcome().errorCode()).isEqualTo("upstream-unavailable");
    }

    @Test
    void answersHeadWithoutABody() throws Exception {
        HttpResponse<String> r = client.send(request("/echo/head").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValueAsLong("content-length")).isPresent();
        nextOutcome();
        // and the connection goes on
        assertThat(client.send(request("/echo/after-head").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        nextOutcome();
    }

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(proxy.url(path))).header("Authorization", "Bearer " + HttpTestGate.TOKEN)
                .timeout(Duration.ofSeconds(20));
    }

    static Outcome nextOutcome() throws InterruptedException {
        return gate.nextOutcome();
    }

    @Test
    void forwardsWithAirlockCredentialsForwardingHeadersAndNoHopByHopFields() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = client.send(request("/echo/a%2Db/./c?x=1&x=2").header("X-Forwarded-For", "6.6.6.6")
                .header("Forwarded", "for=6.6.6.6").header("X-Request-Id", "agent-chosen").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        HttpUpstream.Seen seen = upstream.next();
        assertThat(seen.uri()).isEqualTo("/echo/a-b/c?x=1&x=2");
        assertThat(seen.header("authorization")).isEqualTo("Bearer upstream-secret");
        assertThat(seen.header("x-api-key")).isEqualTo("k-1");
        assertThat(seen.header("host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(seen.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(seen.headers().get("x-forwarded-for")).hasSize(1);
        assertThat(seen.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(seen.header("x-forwarded-host")).isEqualTo("127.0.0.1:" + proxy.port());
        assertThat(seen.header("forwarded")).isEqualTo("for=127.0.0.1;host=\"127.0.0.1:" + proxy.port() + "\";proto=http");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(seen.header("x-request-id")).isEqualTo(id);
        assertThat(r.headers().firstValue("x-upstream")).contains("test");
        assertThat(r.headers().firstValue("x-hop")).as("named in Connection: hop-by-hop").isEmpty();
        assertThat(r.headers().firstValue("keep-alive")).isEmpty();
        Outcome o = nextOutcome();
        assertThat(o.tag()).isEqualTo("200");
        assertThat(o.bytes()).isEqualTo(r.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(gate.admitted).anySatisfy(c -> assertThat(c.id().toString()).isEqualTo(id));
    }

    @Test
    void reusesUpstreamConnections() throws Exception {
        int before = upstream.connections.get();
        for (int i = 0; i < 5; i++) {
            assertThat(client.send(request("/echo/reuse").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            nextOutcome();
        }
        assertThat(upstream.connections.get() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void deniesWithProblemDetails() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = client.send(request("/echo/x").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:airlock:problem:policy-denied");
        assertThat(p.get("status").asInt()).isEqualTo(403);
        assertThat(p.get("detail").asText()).isEqualTo("Agents may not delete.");
        assertThat(p.get("rule_id").asText()).isEqualTo("no-deletes");
        assertThat(p.get("hint").asText()).isEqualTo("Ask a person.");
        assertThat(p.get("request_id").asText()).isEqualTo(r.headers().firstValue("x-request-id").orElseThrow());
        assertThat(upstream.seen).isEmpty();
        // the connection stays usable
        assertThat(client.send(request("/echo/after").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        nextOutcome();
    }

    @Test
    void refusesMissingAndBadTokens() throws Exception {
        HttpResponse<String> none = client.send(HttpRequest.newBuilder(URI.create(proxy.url("/echo/x"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer realm=\"airlock\"");
        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(proxy.url("/echo/x")))
                .header("Authorization", "Bearer forged").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(bad.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(json.readTree(bad.body()).get("detail").asText()).contains("signature invalid");
        HttpResponse<String> basic = client.send(HttpRequest.newBuilder(URI.create(proxy.url("/echo/x")))
                .header("Authorization", "Basic YTpi").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).isEqualTo(401);
    }

    @Test
    void holdsTheRequestUntilDecided() throws Exception {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(request("/echo/held").header("x-hold", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 5}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
        assertThat(h).isNotNull();
        assertThat(((dev.airlock.policy.HttpAction) h.command().action()).jsonBody().get("amount").asInt()).isEqualTo(5);
        assertThat(f).isNotDone();
        h.verdict().complete(Verdict.ALLOW);
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("airlock-approval-request")).contains("apr-7");
        assertThat(json.readTree(r.body()).get("body").asText()).isEqualTo("{\"amount\": 5}");
        nextOutcome();
    }

    @Test
    void answersRespondAsyncWith202AndAStatusUrl() throws Exception {
        HttpResponse<String> accepted = client.send(request("/echo/async").header("x-hold", "1").header("Prefer", "respond-async, wait=1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 1}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("preference-applied")).contains("respond-async");
        String location = accepted.headers().firstValue("location").orElseThrow();
        assertThat(location).startsWith("/_airlock/requests/");
        assertThat(json.readTree(accepted.body()).get("state").asText()).isEqualTo("pending");
        HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
        HttpResponse<String> pending = client.send(request(location).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pending.statusCode()).isEqualTo(202);
        assertThat(pending.headers().firstValue("retry-after")).contains("2");
        h.verdict().complete(Verdict.ALLOW);
        nextOutcome();
        HttpResponse<String> done = client.send(request(location).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json.readTree(done.body()).get("uri").asText()).isEqualTo("/echo/async");
        HttpResponse<String> stranger = client.send(HttpRequest.newBuilder(URI.create(proxy.url(location)))
                .header("Authorization", "Bearer " + HttpTestGate.OTHER).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stranger.statusCode()).as("another subject learns nothing").isEqualTo(404);
    }

    @Test
    void streamsServerSentEventsAsTheyCome() throws Exception {
        HttpResponse<InputStream> r = client.send(request("/sse?n=3").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (int i = 1; i <= 3; i++) {
                assertThat(in.readLine()).isEqualTo("id: " + i);
                assertThat(in.readLine()).isEqualTo("data: event " + i);
                assertThat(in.readLine()).isEmpty();
                upstream.sseGate.release(); // the next event is sent only now: each one arrived on its own
            }
            assertThat(in.readLine()).isNull();
        }
        nextOutcome();
    }

    @Test
    void streamsALargeUploadWithoutBufferingIt() throws Exception {
        upstream.uploadStarted = new java.util.concurrent.CountDownLatch(1);
        long total = 8L << 20;
        HttpResponse<String> r = client.send(request("/upload").POST(new GatedPublisher(total, 1 << 20, upstream.uploadStarted))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json.readTree(r.body()).get("bytes").asLong()).isEqualTo(total);
        HttpTestGate.Held none = gate.held.poll();
        assertThat(none).isNull();
        assertThat(gate.admitted).anySatisfy(c -> assertThat(((dev.airlock.policy.HttpAction) c.action()).bodyDigest())
                .isEqualTo(dev.airlock.policy.HttpAction.UNREAD_BODY));
        nextOutcome();
    }

    @Test
    void relaysWebSocketMessages() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        WebSocket ws = client.newWebSocketBuilder().header("Authorization", "Bearer " + HttpTestGate.TOKEN)
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        got.add(data.toString());
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello");
        ws.sendText("again", true).get(10, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: again");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        Outcome o = nextOutcome();
        assertThat(o.tag()).isEqualTo("101");
        assertThat(o.bytes()).isGreaterThan(0);
    }

    @Test
    void answers502And504ForUpstreamFailures() throws Exception {
        HttpResponse<String> down = client.send(request("/down/x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(json.readTree(down.body()).get("type").asText()).isEqualTo("urn:airlock:problem:upstream-unavailable");
        Outcome o = nextOutcome();
        assertThat(o.tag()).isEqualTo("502");
        assertThat(o.errorCode()).isEqualTo("upstream-unavailable");
        HttpResponse<String> slow = client.send(request("/slow/silent").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(json.readTree(slow.body()).get("type").asText()).isEqualTo("urn:airlock:problem:upstream-timeout");
        assertThat(nextOutcome().tag()).isEqualTo("504");
    }

    @Test
    void shutsDownGracefully() throws Exception {
        try (HttpProxyServer own = new HttpProxyServer(HttpListenerConfig.defaults(null,
                List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/"))), null), gate);
             java.net.Socket idle = new java.net.Socket("127.0.0.1", own.port());
             java.net.Socket busy = new java.net.Socket("127.0.0.1", own.port())) {
            idle.setSoTimeout(10_000);
            busy.setSoTimeout(10_000);
            String get = "GET /echo/idle HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + HttpTestGate.TOKEN + "\r\n\r\n";
            idle.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
            InputStream idleIn = idle.getInputStream();
            assertThat(readHead(idleIn)).startsWith("http/1.1 200").doesNotContain("connection: close");
            nextOutcome();
            busy.getOutputStream().write(("POST /echo/held HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + HttpTestGate.TOKEN
                    + "\r\nx-hold: 1\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
            HttpTestGate.Held h = gate.held.poll(10, TimeUnit.SECONDS);
            assertThat(h).isNotNull();

            own.configurator.shutdown();
            // the idle keep-alive connection closes now (after the rest of its response body)
            assertThat(idleIn.readAllBytes()).as("what is left of the first response").isNotEmpty();
            // the busy one gets its answer, marked as the connection's last, then the close
            dev.airlock.testing.Await.await(() -> java.util.Optional.of(true).filter(x -> own.configurator.activeConnections() == 1));
            assertThat(busy.isClosed()).isFalse();
            h.verdict().complete(Verdict.ALLOW);
            InputStream busyIn = busy.getInputStream();
            assertThat(readHead(busyIn)).startsWith("http/1.1 200").contains("connection: close");
            busyIn.readAllBytes(); // to the end: the connection closes
            nextOutcome();
            dev.airlock.testing.Await.await(() -> java.util.Optional.of(true).filter(x -> own.configurator.activeConnections() == 0));
        }
    }

    @Test
    void answers408ToARequestHeadThatTricklesInAndClosesASilentConnection() throws Exception {
        HttpListenerConfig config = HttpListenerConfig.defaults(null,
                List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/"))), null)
                .withHeaderTimeout(Duration.ofMillis(400));
        try (HttpProxyServer own = new HttpProxyServer(config, gate);
             java.net.Socket slow = new java.net.Socket("127.0.0.1", own.port());
             java.net.Socket silent = new java.net.Socket("127.0.0.1", own.port())) {
            slow.setSoTimeout(10_000);
            silent.setSoTimeout(10_000);
            java.io.OutputStream out = slow.getOutputStream();
            out.write("GET /echo/slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) { // a header line every 50 ms: never idle, never done
                        Thread.sleep(50);
                        out.write(("X-Pad-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // closed by Airlock: expected
                }
            });
            trickle.start();
            InputStream in = slow.getInputStream();
            String head = readHead(in);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(head).startsWith("http/1.1 408").contains("connection: close").contains("application/problem+json");
            JsonNode problem = json.readTree(in.readAllBytes()); // then the close
            assertThat(problem.get("type").asText()).isEqualTo("urn:airlock:problem:request-timeout");
            assertThat(problem.get("detail").asText()).contains("400 ms");
            assertThat(tookMillis).as("408 at the timeout, though bytes kept coming").isLessThan(4_000);
            trickle.interrupt();
            trickle.join();
            // a connection that never sends a byte is closed without an answer
            assertThat(silent.getInputStream().readAllBytes()).isEmpty();
        }
    }

    @Test
    void aKeepAliveConnectionMayWaitPastTheHeaderTimeoutBetweenRequests() throws Exception {
        HttpListenerConfig config = HttpListenerConfig.defaults(null,
                List.of(HttpRoute.of("api", URI.create("http://127.0.0.1:" + upstream.port() + "/"))), null)
                .withHeaderTimeout(Duration.ofMillis(300));
        try (HttpProxyServer own = new HttpProxyServer(config, gate);
             java.net.Socket s = new java.net.Socket("127.0.0.1", own.port())) {
            s.setSoTimeout(10_000);
            String get = "GET /echo/ka HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + HttpTestGate.TOKEN + "\r\n\r\n";
            InputStream in = s.getInputStream();
            s.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
            String first = readHead(in);
            assertThat(first).startsWith("http/1.1 200");
            in.readNBytes(contentLength(first));
            nextOutcome();
            Thread.sleep(1_000); // idle between requests: the idle timeout's business, not the head timeout's
            s.getOutputStream().write(get.getBytes(StandardCharsets.US_ASCII));
            String second = readHead(in);
            assertThat(second).startsWith("http/1.1 200").doesNotContain("connection: close");
            in.readNBytes(contentLength(second));
            nextOutcome();
        }
    }

    private static int contentLength(String head) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("content-length: (\\d+)").matcher(head);
        assertThat(m.find()).as("content-length in %s", head).isTrue();
        return Integer.parseInt(m.group(1));
    }

}
