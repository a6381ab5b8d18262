package dev.airlock.gateway;

import dev.airlock.testing.Await;
import static dev.airlock.testing.Await.await;
import dev.airlock.testing.GatedPublisher;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.approvals.StoredApproval;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.gateway.identity.DevIssuer;
import dev.airlock.testing.HttpUpstream;
import dev.airlock.testing.PostgresFixture;
import dev.airlock.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDK HTTP client as agent → Airlock (airlock.yaml with an HTTP listener, real policy, approvals, lineage in
 * embedded PostgreSQL) → a real Netty upstream; every test checks what the lineage store holds afterwards.
 */
class HttpGatewayIT {

    static final String POLICY = """
            approval_profiles:
              dba: {approvers: {groups: [dba]}, quorum: 1, timeout: 60s, channels: [cli]}
              quick: {approvers: {groups: [dba]}, quorum: 1, timeout: 1s, channels: [cli]}
            rules:
              - id: no-deletes
                match: {http: {method: [DELETE]}}
                effect: deny
                explain: "Agents may not {method} {path}."
                hint: "Ask a person."
              - id: a-stated-reason-is-never-seen-by-policy
                match: {http: {headers: {x-airlock-reason: "*"}}}
                effect: deny
              - id: big-refunds-need-a-dba
                match: {http: {method: [POST], path: ["/echo/refunds"], body: {amount: {gt: 100}}}}
                effect: require_approval
                approval: dba
                explain: "{actor} asks for a refund above 100."
              - id: slow-approvals
                match: {http: {path: ["/echo/slow/**"]}}
                effect: require_approval
                approval: quick
              - id: writes-need-a-dba
                match: {http: {method: [POST, PUT, PATCH]}, not: {http: {path: ["/upload", "/echo/refunds"]}}}
                effect: require_approval
                approval: dba
                explain: "{actor} wants to {method} {path}."
              - id: agents-call-the-api
                match: {identity: {groups: [agents]}}
                effect: allow
            """;

    static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper json = new ObjectMapper();
    static DevIssuer issuer;
    static HttpUpstream upstream;
    static TestDatabase lineageDb;
    static LineageStore lineage;
    static AirlockServer server;
    static String api;

    @BeforeAll
    static void start() throws Exception {
        issuer = DevIssuer.start();
        upstream = new HttpUpstream();
        lineageDb = PostgresFixture.get().newDatabase();
        lineage = LineageStore.open(StoreConfig.of(lineageDb.jdbcUrl(), lineageDb.user(), lineageDb.password()));
        server = newServer();
        api = "http://127.0.0.1:" + server.port("web");
    }

    /** An Airlock process on fresh ports with this class's policy, upstream and lineage store. */
    static AirlockServer newServer() throws Exception {
        return newServer(false);
    }

    /** Each server started here is a replica of its own on the shared lineage store. */
    static final java.util.concurrent.atomic.AtomicInteger replicas = new java.util.concurrent.atomic.AtomicInteger();

    static AirlockServer newServer(boolean tls) throws Exception {
        return newServer(tls, "http-it-" + replicas.incrementAndGet());
    }

    /** {@code tls}: the listener serves TLS with a generated development certificate (ALPN h2 / http/1.1). */
    static AirlockServer newServer(boolean tls, String replicaId) throws Exception {
        Path dir = Files.createTempDirectory("airlock-http-it");
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("upstream-token"), "s3cr3t-upstream-token\n");
        int[] ports = GatewayHarness.freePorts(2);
        Files.writeString(dir.resolve("airlock.yaml"), """
                listeners:
                  - {name: web, protocol: http, port: %d, limits: {max_request_line: 2KiB, max_header_size: 8KiB, header_timeout: 1s}%s}
                connections:
                  - name: api
                    protocol: http
                    listener: web
                    upstream: http://127.0.0.1:%d/
                    credentials: {bearer_token: "${file:upstream-token}"}
                    labels: {env: test}
                  - name: capped
                    protocol: http
                    listener: web
                    upstream: http://127.0.0.1:%d/
                    route: {path_prefix: /capped}
                    max_sessions_per_agent: 1
                identity:
                  - {name: dev, issuer: %s, audience: airlock}
                lineage:
                  store: jdbc
                  jdbc_url: %s
                  user: %s
                  spool_dir: spool
                policy:
                  files: [policy.yaml]
                admin:
                  port: %d
                """.formatted(ports[0], tls ? ", tls: {self_signed: true}" : "", upstream.port(), upstream.port(), issuer.issuer(), lineageDb.jdbcUrl(), lineageDb.user(), ports[1]));
        AirlockConfig config = AirlockConfigLoader.load(dir.resolve("airlock.yaml")).orElseThrow();
        return AirlockServer.start(config, AirlockServer.Options.defaults().withLineageStore(lineage)
                .withShutdownGrace(Duration.ofMillis(200)).withReplicaId(replicaId));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (lineage != null) {
            lineage.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    static String agent() {
        return issuer.token("agent-1").groups("agents").mint();
    }

    static String dba(String name) {
        return issuer.token(name).groups("dba").mint();
    }

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + agent())
                .timeout(Duration.ofSeconds(30));
    }

    static HttpResponse<String> send(HttpRequest r) throws Exception {
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void allowsGetAndRecordsRouteStatusAndBytes() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = send(request("/echo/items?page=2").build());
        assertThat(r.statusCode()).isEqualTo(200);
        HttpUpstream.Seen seen = upstream.next();
        assertThat(seen.header("authorization")).as("Airlock's credential, never the agent's token").isEqualTo("Bearer s3cr3t-upstream-token");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(seen.header("x-request-id")).isEqualTo(id);
        List<String> row = awaitRow("SELECT a.method, a.path, d.effect, array_to_string(d.rule_ids, ','), s.subject, s.protocol, "
                + "res.status, res.bytes, o.display, ao.access FROM lineage.actions a JOIN lineage.decisions d USING (action_id) "
                + "JOIN lineage.session_starts s USING (session_id) JOIN lineage.results res USING (action_id) "
                + "JOIN lineage.action_objects ao USING (action_id) JOIN lineage.data_objects o USING (object_id) "
                + "WHERE a.action_id = '" + id + "'");
        assertThat(row).containsExactly("GET", "/echo/items", "ALLOW", "agents-call-the-api", "agent-1", "http", "200",
                String.valueOf(r.body().getBytes(StandardCharsets.UTF_8).length), "api GET /echo/items", "read");
        assertThat(java.util.UUID.fromString(id).version()).as("a time-ordered id, as every lineage id").isEqualTo(7);
        assertThat(lineage.verify().firstBreak()).as("status and bytes are on the chain").isEmpty();
    }

    @Test
    void servesHttp2AgentsOverTlsAndRecordsThem() throws Exception {
        javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
        trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() { // the generated dev certificate
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trustAll).build();
        try (AirlockServer own = newServer(true)) {
            String base = "https://127.0.0.1:" + own.port("web");
            HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(base + "/echo/h2-items"))
                    .header("Authorization", "Bearer " + agent()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            String id = r.headers().firstValue("x-request-id").orElseThrow();
            assertThat(awaitRow("SELECT a.method, a.path, d.effect, res.status FROM lineage.actions a JOIN lineage.decisions d "
                    + "USING (action_id) JOIN lineage.results res USING (action_id) WHERE a.action_id = '" + id + "'"))
                    .containsExactly("GET", "/echo/h2-items", "ALLOW", "200");
            HttpResponse<String> denied = h2.send(HttpRequest.newBuilder(URI.create(base + "/echo/invoices/8")).DELETE()
                    .header("Authorization", "Bearer " + agent()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(denied.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(json.readTree(denied.body()).get("rule_id").asText()).isEqualTo("no-deletes");
        }
    }

    @Test
    void refusesASecondProcessWithTheSameReplicaIdAndFreesTheIdOnClose() throws Exception {
        // the class's own server was the first replica started here: http-it-1
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> newServer(false, "http-it-1").close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("replica id 'http-it-1' is in use by another Airlock process on this lineage store")
                .hasMessageContaining("backend pid").hasMessageEndingWith("give every replica its own --replica-id");
        // a replica id given up on close can be taken again at once (the pooled lock connection is unlocked)
        newServer(false, "http-it-again").close();
        newServer(false, "http-it-again").close();
    }

    @Test
    void refusesWithA503WhatItCannotRecord() throws Exception {
        try (AirlockServer own = newServer()) {
            own.lineageWriter().close(); // from now on every append is refused at once, as when its queue is full
            upstream.seen.clear();
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + own.port("web") + "/echo/items"))
                    .header("Authorization", "Bearer " + agent()).timeout(Duration.ofSeconds(30)).build());
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
            assertThat(json.readTree(r.body()).get("detail").asText()).contains("cannot record this");
            assertThat(upstream.seen).isEmpty();
        }
    }

    @Test
    void deniesDeleteWithProblemDetailsAndRecordsTheDenial() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = send(request("/echo/invoices/7").DELETE().build());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("content-type")).contains("application/problem+json");
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("rule_id").asText()).isEqualTo("no-deletes");
        assertThat(p.get("detail").asText()).isEqualTo("Agents may not DELETE /echo/invoices/7.");
        assertThat(p.get("hint").asText()).isEqualTo("Ask a person.");
        String id = p.get("request_id").asText();
        assertThat(r.headers().firstValue("x-request-id")).contains(id);
        assertThat(awaitRow("SELECT d.effect, d.rule_ids[1], d.explanation, "
                + "(SELECT count(*) FROM lineage.results x WHERE x.action_id = a.action_id) "
                + "FROM lineage.actions a JOIN lineage.decisions d USING (action_id) WHERE a.action_id = '" + id + "'"))
                .containsExactly("DENY", "no-deletes", "Agents may not DELETE /echo/invoices/7.", "0");
        assertThat(upstream.seen).isEmpty();
    }

    @Test
    void holdsPostUntilApprovedWithTheCli() throws Exception {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(request("/echo/orders").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\": \"A-1\", \"qty\": 2}")).build(), HttpResponse.BodyHandlers.ofString());
        StoredApproval pending = awaitPending("POST /echo/orders");
        assertThat(pending.request().actionText()).isEqualTo("POST /echo/orders {\"sku\":\"A-1\",\"qty\":2}");
        assertThat(f).isNotDone();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        picocli.CommandLine cl = dev.airlock.cli.AirlockCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int exit = cl.execute("approvals", "list", "--url", server.adminUrl().toString(), "--token", dba("bob"));
        assertThat(exit).isZero();
        assertThat(out.toString()).contains(pending.id()).contains("POST /echo/orders");
        exit = cl.execute("approvals", "approve", pending.id(), "--reason", "ok for the test", "--url", server.adminUrl().toString(),
                "--token", dba("bob"));
        assertThat(exit).as(out.toString()).isZero();
        HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("airlock-approval-request")).contains(pending.id());
        assertThat(json.readTree(r.body()).get("body").asText()).isEqualTo("{\"sku\": \"A-1\", \"qty\": 2}");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(awaitRow("SELECT d.effect, ar.state, ar.decided_by, res.status, o.display, ao.access "
                + "FROM lineage.actions a JOIN lineage.decisions d USING (action_id) JOIN lineage.approval_requests ar USING (action_id) "
                + "JOIN lineage.results res USING (action_id) JOIN lineage.action_objects ao USING (action_id) "
                + "JOIN lineage.data_objects o USING (object_id) WHERE a.action_id = '" + id + "'"))
                .containsExactly("REQUIRE_APPROVAL", "approved", "bob", "200", "api POST /echo/orders", "write");
    }

    @Test
    void showsTheStatedReasonHeaderToApproversButNotToPolicyOrTheDigest() throws Exception {
        String body = "{\"sku\": \"R-1\", \"qty\": 1}";
        // on the wire as UTF-8 (curl -H sends the bytes it is given): a right-to-left override, a tab, mrkdwn markup
        String reason = "<!here> Grüße: restock\u202e R-1 \t for <https://evil.example|ticket 9>";
        byte[] head = ("POST /echo/restock HTTP/1.1\r\nHost: 127.0.0.1:" + server.port("web") + "\r\n"
                + "Authorization: Bearer " + agent() + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n"
                + "X-Airlock-Reason: ").getBytes(StandardCharsets.ISO_8859_1);
        try (Socket stated = new Socket("127.0.0.1", server.port("web"))) {
            stated.setSoTimeout(20_000);
            OutputStream out = stated.getOutputStream();
            out.write(head);
            out.write(reason.getBytes(StandardCharsets.UTF_8));
            out.write(("\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            StoredApproval withReason = awaitPending("\"sku\":\"R-1\"");
            // the deny rule that matches any x-airlock-reason did not apply: policy never sees the header
            assertThat(withReason.request().ruleIds()).containsExactly("writes-need-a-dba", "agents-call-the-api");
            assertThat(withReason.request().statedReason()).isEqualTo("<!here> Grüße: restock R-1 for <https://evil.example|ticket 9>");
            JsonNode shown = json.readTree(approvalsApi("GET", "/" + withReason.id(), dba("bob")).body());
            assertThat(shown.get("stated_reason").asText()).isEqualTo(withReason.request().statedReason());

            CompletableFuture<HttpResponse<String>> plain = client.sendAsync(request("/echo/restock")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            StoredApproval without = await(() -> server.approvals().pending().stream()
                    .filter(s -> s.request().actionText().contains("\"sku\":\"R-1\"") && !s.id().equals(withReason.id())).findFirst());
            assertThat(without.request().statedReason()).isNull();
            assertThat(without.request().actionDigest()).isEqualTo(withReason.request().actionDigest());

            approvalsApi("POST", "/" + withReason.id() + "/deny", dba("bob"), "{\"reason\": \"not now\"}");
            approvalsApi("POST", "/" + without.id() + "/deny", dba("bob"), "{\"reason\": \"not now\"}");
            assertThat(new String(stated.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 403 ");
            assertThat(plain.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(403);
            assertThat(awaitRow("SELECT detail->>'stated_reason' FROM lineage.approval_details WHERE request_id = '"
                    + withReason.id() + "'")).containsExactly(withReason.request().statedReason());
        }
    }

    @Test
    void refusesWhenTheApprovalTimesOut() throws Exception {
        upstream.seen.clear();
        HttpResponse<String> r = send(request("/echo/slow/job").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(403);
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:airlock:problem:approval-expired");
        assertThat(p.get("rule_id").asText()).isEqualTo("slow-approvals");
        String approval = p.get("approval_request_id").asText();
        assertThat(r.headers().firstValue("airlock-approval-request")).contains(approval);
        assertThat(awaitRow("SELECT ar.state, d.effect, (SELECT count(*) FROM lineage.results x WHERE x.action_id = ar.action_id) "
                + "FROM lineage.approval_requests ar JOIN lineage.decisions d USING (action_id) WHERE ar.request_id = '" + approval + "'"))
                .containsExactly("expired", "REQUIRE_APPROVAL", "0");
        assertThat(upstream.seen).isEmpty();
    }

    @Test
    void answersRespondAsyncAndServesTheResultOnceApproved() throws Exception {
        String token = agent();
        HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(api + "/echo/refunds"))
                .header("Authorization", "Bearer " + token).header("Prefer", "respond-async")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 250}")).build());
        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("location").orElseThrow();
        JsonNode body = json.readTree(accepted.body());
        String approval = body.get("approval_request_id").asText();
        HttpRequest poll = HttpRequest.newBuilder(URI.create(api + location)).header("Authorization", "Bearer " + token).build();
        assertThat(send(poll).statusCode()).isEqualTo(202);
        HttpResponse<String> vote = approvalsApi("POST", "/" + approval + "/approve", dba("carol"));
        assertThat(vote.statusCode()).isEqualTo(200);
        HttpResponse<String> done = await(() -> {
            try {
                HttpResponse<String> x = send(poll);
                return x.statusCode() == 202 ? Optional.empty() : Optional.of(x);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json.readTree(done.body()).get("body").asText()).isEqualTo("{\"amount\": 250}");
        String id = body.get("request_id").asText();
        assertThat(awaitRow("SELECT d.effect, d.rule_ids[1], ar.state, res.status "
                + "FROM lineage.actions a JOIN lineage.decisions d USING (action_id) JOIN lineage.approval_requests ar USING (action_id) "
                + "JOIN lineage.results res USING (action_id) WHERE a.action_id = '" + id + "'"))
                .containsExactly("REQUIRE_APPROVAL", "big-refunds-need-a-dba", "approved", "200");
    }

    @Test
    void decidesOnJsonBodyFields() throws Exception {
        HttpResponse<String> small = send(request("/echo/refunds").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 40, \"currency\": \"EUR\"}")).build());
        assertThat(small.statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> big = client.sendAsync(request("/echo/refunds").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\": 400, \"currency\": \"EUR\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        StoredApproval pending = awaitPending("\"amount\":400");
        assertThat(pending.request().ruleIds()).as("most decisive first").containsExactly("big-refunds-need-a-dba", "agents-call-the-api");
        approvalsApi("POST", "/" + pending.id() + "/deny", dba("dave"), "{\"reason\": \"too much\"}");
        HttpResponse<String> r = big.get(20, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(403);
        JsonNode p = json.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:airlock:problem:approval-denied");
        assertThat(p.get("detail").asText()).contains("dave").contains("too much");
        assertThat(awaitRow("SELECT d.effect, array_to_string(d.rule_ids, ','), array_to_string(d.reason_codes, ',') "
                + "FROM lineage.actions a JOIN lineage.decisions d USING (action_id) WHERE a.action_id = '"
                + small.headers().firstValue("x-request-id").orElseThrow() + "'"))
                .containsExactly("ALLOW", "agents-call-the-api", "identity.groups=agents");
        assertThat(awaitRow("SELECT ar.state, ar.decided_reason, array_to_string(d.reason_codes, ',') FROM lineage.approval_requests ar "
                + "JOIN lineage.decisions d USING (action_id) WHERE ar.request_id = '" + pending.id() + "'"))
                .containsExactly("denied", "too much", "http.method=POST,http.path=/echo/refunds,http.body.amount=400");
    }

    @Test
    void streamsServerSentEvents() throws Exception {
        HttpResponse<InputStream> r = client.send(request("/sse?n=2").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo("id: 1");
            assertThat(in.readLine()).isEqualTo("data: event 1");
            assertThat(in.readLine()).isEmpty();
            upstream.sseGate.release(); // event 2 leaves the upstream only after event 1 reached the agent
            assertThat(in.readLine()).isEqualTo("id: 2");
            assertThat(in.readLine()).isEqualTo("data: event 2");
            assertThat(in.readLine()).isEmpty();
            // read to the end: closing early races the upstream's last chunk, and the result would be 499
            assertThat(in.readLine()).isNull();
        }
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(awaitRow("SELECT res.status, res.bytes, d.effect FROM lineage.results res JOIN lineage.decisions d USING (action_id) "
                + "WHERE res.action_id = '" + id + "'")).containsExactly("200", "42", "ALLOW");
    }

    @Test
    void relaysAWebSocketWhoseUpgradeIsAnAction() throws Exception {
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().header("Authorization", "Bearer " + agent())
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port("web") + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        got.add(data.toString());
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        closed.complete(null);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("ping 1", true).get(10, TimeUnit.SECONDS);
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: ping 1");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        closed.get(10, TimeUnit.SECONDS);
        assertThat(awaitRow("SELECT a.method, a.path, d.effect, res.status, res.bytes > 0 FROM lineage.actions a "
                + "JOIN lineage.decisions d USING (action_id) JOIN lineage.results res USING (action_id) WHERE a.path = '/ws'"))
                .containsExactly("GET", "/ws", "ALLOW", "101", "t");
    }

    @Test
    void streamsALargeUploadWithoutBufferingIt() throws Exception {
        upstream.uploadStarted = new CountDownLatch(1);
        long total = 16L << 20;
        HttpResponse<String> r = send(request("/upload").header("Content-Type", "application/octet-stream")
                .POST(new GatedPublisher(total, 2 << 20, upstream.uploadStarted)).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json.readTree(r.body()).get("bytes").asLong()).isEqualTo(total);
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(awaitRow("SELECT a.parameters_digest, a.summary, res.status FROM lineage.actions a JOIN lineage.results res "
                + "USING (action_id) WHERE a.action_id = '" + id + "'"))
                .containsExactly("unread", "POST /upload (body streamed, not read)", "200");
    }

    @Test
    void theListenersConfiguredLimitsAnswer414And431() throws Exception {
        // within the limits configured for this listener (below the 8 KiB / 16 KiB defaults)
        assertThat(send(request("/echo/" + "a".repeat(1000)).header("X-Padding", "p".repeat(6000)).build()).statusCode())
                .isEqualTo(200);
        HttpResponse<String> line = send(request("/echo/" + "a".repeat(3000)).build());
        assertThat(line.statusCode()).isEqualTo(414);
        HttpResponse<String> headers = send(request("/echo/x").header("X-Padding", "p".repeat(10_000)).build());
        assertThat(headers.statusCode()).isEqualTo(431);
    }

    @Test
    void capsTheSessionsOneAgentHasOnAConnectionWith429() throws Exception {
        String token = issuer.token("agent-capped").groups("agents").mint();
        HttpClient first = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient second = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        java.util.function.Function<String, HttpRequest> get = path -> HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build();
        // the first client's keep-alive connection holds the agent's one session on "capped"
        assertThat(first.send(get.apply("/capped/echo/one"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = second.send(get.apply("/capped/echo/two"), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode problem = json.readTree(refused.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:airlock:problem:too-many-sessions");
        assertThat(problem.get("detail").asText())
                .isEqualTo("too many sessions for agent \"agent-capped\" on connection \"capped\" (at most 1 at once)");
        // the session there goes on, and the other connection is not capped
        assertThat(first.send(get.apply("/capped/echo/three"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(second.send(get.apply("/echo/four"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(awaitRow("SELECT failure, protocol, connection FROM lineage.session_refusals "
                + "WHERE reason LIKE 'too many sessions for agent \"agent-capped\"%'"))
                .containsExactly("too_many_sessions", "http", "capped");
    }

    @Test
    void theListenersHeaderTimeoutAnswers408ToAnUnfinishedHead() throws Exception {
        long started = System.nanoTime();
        String answer = raw("GET /echo/never-finished HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + agent() + "\r\n");
        assertThat(answer).startsWith("HTTP/1.1 408 ").contains("urn:airlock:problem:request-timeout").contains("1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
        String metrics = send(HttpRequest.newBuilder(server.adminUrl().resolve("/metrics")).build()).body();
        assertThat(metrics).containsPattern("airlock_http_head_timeouts_total\\{listener=\"web\"\\} [1-9]");
        // the listener's connection cap (limits.max_connections) is in place; it never had to pause here
        assertThat(metrics).contains("airlock_listener_accept_pauses_total{listener=\"web\"} 0.0")
                .contains("airlock_listener_accept_pauses_total{listener=\"admin\"} 0.0");
    }

    @Test
    void refusesMissingExpiredForeignAndForgedTokensAndRecordsTheRefusalsButNoSession() throws Exception {
        // a subject of its own: sessions of earlier tests may still be on their way to the store
        Instant started = Instant.now().minusSeconds(1);
        List<String> tokens = List.of(
                issuer.token("agent-refused").groups("agents").issuedAt(Instant.now().minus(Duration.ofHours(2))).mint(),
                issuer.token("agent-refused").groups("agents").audience("someone-else").mint(),
                issuer.token("agent-refused").groups("agents").signWith(new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rogue").generate()).mint(),
                "not-a-jwt");
        for (String t : tokens) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(api + "/echo/x")).header("Authorization", "Bearer " + t).build());
            assertThat(r.statusCode()).as(t).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_token\"");
            assertThat(json.readTree(r.body()).get("detail").asText()).startsWith("token rejected: ");
        }
        assertThat(send(HttpRequest.newBuilder(URI.create(api + "/echo/x")).build()).statusCode()).isEqualTo(401);
        // the four presented tokens are refusals on the record (a request with no token never reaches the gate)
        assertThat(awaitRow("SELECT count(*), min(protocol), min(failure), bool_and(reason LIKE 'token rejected: %') "
                + "FROM lineage.session_refusals WHERE at >= '" + started + "' AND protocol = 'http' HAVING count(*) = 4"))
                .containsExactly("4", "http", "authentication_failed", "t");
        assertThat(count("SELECT count(*) FROM lineage.session_starts WHERE subject = 'agent-refused'")).isZero();
    }

    @Test
    void refusesSmugglingAndHeaderInjectionOnTheWire() throws Exception {
        String token = agent();
        String smuggle = "POST /echo/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nContent-Length: 6\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        String dupHost = "GET /echo/dup HTTP/1.1\r\nHost: a\r\nHost: b\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        String crlf = "GET /echo/crlf HTTP/1.1\r\nHost: a\r\nX-Evil: a\rInjected: yes\r\nAuthorization: Bearer " + token + "\r\n\r\n";
        String encodedCrlf = "GET /echo/crlf%0d%0aInjected:%20yes HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n";
        for (String raw : List.of(smuggle, dupHost, crlf)) {
            assertThat(raw(raw)).as(raw).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
        }
        // CR LF percent-encoded in the path reach policy and upstream as data inside one segment, never as a header
        upstream.seen.clear();
        assertThat(raw(encodedCrlf)).startsWith("HTTP/1.1 200 ");
        HttpUpstream.Seen seen = upstream.next();
        assertThat(seen.uri()).isEqualTo("/echo/crlf%0D%0AInjected:%20yes");
        assertThat(seen.headers()).doesNotContainKey("injected");
        // the allowed request's records are batched: wait for them, then nothing of the refused ones may be there
        awaitRow("SELECT action_id FROM lineage.actions WHERE path = '/echo/crlf\r\nInjected: yes'");
        assertThat(count("SELECT count(*) FROM lineage.actions WHERE path = '/echo/crlf\r\nInjected: yes'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM lineage.actions WHERE path IN ('/echo/a', '/echo/smuggled', '/echo/dup', '/echo/crlf')"))
                .isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** Sends raw bytes on a fresh connection and returns everything read until the server closes it. */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port("web"))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static HttpResponse<String> approvalsApi(String method, String path, String token) throws Exception {
        return approvalsApi(method, path, token, null);
    }

    static HttpResponse<String> approvalsApi(String method, String path, String token, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.adminUrl() + "/api/v1/approvals" + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static StoredApproval awaitPending(String textPart) throws InterruptedException {
        return await(() -> server.approvals().pending().stream().filter(s -> s.request().actionText().contains(textPart)).findFirst());
    }

    /** The first row of {@code sql} as strings, waiting for the batched lineage writer to commit it. */
    static List<String> awaitRow(String sql) throws InterruptedException {
        return Await.awaitRow(lineage.dataSource(), sql);
    }

    static long count(String sql) throws SQLException {
        try (Connection c = lineage.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
