package dev.airlock.connectors.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.airlock.connectors.http.HttpListenerConfig;
import dev.airlock.connectors.http.HttpPipelineConfigurator;
import dev.airlock.connectors.http.HttpRoute;
import dev.airlock.connectors.spi.Gate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.resolver.DefaultAddressResolverGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent side of the HTTP connector on an {@link EmbeddedChannel}: what gets refused before anything goes
 * upstream (smuggling, header injection, bad targets, missing tokens), with input fed whole and byte by byte.
 */
class HttpConnectionTest {

    private final dev.airlock.connectors.http.HttpTestGateAccess gate = new dev.airlock.connectors.http.HttpTestGateAccess();
    private final HttpListenerConfig config = HttpListenerConfig.defaults(null, List.of(
            HttpRoute.of("api", URI.create("http://127.0.0.1:9/")).withHosts(List.of("api.test"))), null);
    private final ListenerContext lc = new ListenerContext(config, gate.gate(), DefaultAddressResolverGroup.INSTANCE);
    private EmbeddedChannel ch;

    private EmbeddedChannel channel() {
        ch = new EmbeddedChannel();
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(HttpPipelineConfigurator.CODEC, new HttpServerCodec(HttpPipelineConfigurator.decoderConfig(config)))
                .addLast(HttpPipelineConfigurator.CONNECTION, new HttpConnection(lc));
        return ch;
    }

    @AfterEach
    void finish() {
        if (ch != null) {
            ch.runPendingTasks();
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                b.release();
            }
            assertFalse(ch.finish(), "nothing left in the channel");
        }
        lc.close();
    }

    /** Feeds {@code raw} whole or one byte at a time and returns everything written back. */
    private String exchange(String raw, boolean byteByByte) {
        EmbeddedChannel c = channel();
        byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
        if (byteByByte) {
            for (byte x : b) {
                if (!c.isOpen()) {
                    break; // answered and closed: the rest is never read
                }
                c.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
            }
        } else {
            c.writeInbound(Unpooled.wrappedBuffer(b));
        }
        c.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf o;
        while ((o = c.readOutbound()) != null) {
            out.append(o.toString(StandardCharsets.ISO_8859_1));
            o.release();
        }
        return out.toString();
    }

    private void bothWays(String raw, java.util.function.Consumer<String> check) {
        check.accept(exchange(raw, false));
        finish();
        check.accept(exchange(raw, true));
    }

    @Test
    void refusesConflictingContentLengthAndTransferEncoding() {
        bothWays("POST /v1/x HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer good-token\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: api.test\r\n\r\n", out -> {
                    assertThat(out).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("connection: close")
                            .contains("application/problem+json").contains("urn:airlock:problem:bad-request")
                            .doesNotContain("smuggled");
                    assertThat(ch.isActive()).as("closed: the decoder cannot resynchronise").isFalse();
                });
        assertThat(gate.admitted()).isEmpty();
    }

    @Test
    void refusesDuplicateContentLengthDuplicateHostAndMissingHost() {
        assertThat(exchange("POST / HTTP/1.1\r\nHost: api.test\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", false))
                .startsWith("HTTP/1.1 400 ");
        finish();
        assertThat(exchange("GET / HTTP/1.1\r\nHost: api.test\r\nHost: evil.test\r\nAuthorization: Bearer good-token\r\n\r\n", true))
                .startsWith("HTTP/1.1 400 ").contains("more than one Host header");
        finish();
        assertThat(exchange("GET / HTTP/1.1\r\nAuthorization: Bearer good-token\r\n\r\n", false))
                .startsWith("HTTP/1.1 400 ").contains("without a Host header");
        assertThat(gate.admitted()).isEmpty();
    }

    @Test
    void refusesHeaderInjection() {
        bothWays("GET / HTTP/1.1\r\nHost: api.test\r\nX-A: a\rX-Injected: b\r\nAuthorization: Bearer good-token\r\n\r\n",
                out -> assertThat(out).startsWith("HTTP/1.1 400 "));
        finish();
        assertThat(exchange("GET / HTTP/1.1\nHost: api.test\n\n", false)).as("bare LF line ends").startsWith("HTTP/1.1 400 ");
        finish();
        assertThat(exchange("GET / HTTP/1.1\r\nHost : api.test\r\n\r\n", false)).as("space before the colon").startsWith("HTTP/1.1 400 ");
        assertThat(gate.admitted()).isEmpty();
    }

    @Test
    void refusesUnsupportedTransferCodingsAndExpectations() {
        assertThat(exchange("POST / HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", false))
                .startsWith("HTTP/1.1 501 ").contains("transfer coding 'gzip, chunked'");
        finish();
        assertThat(exchange("POST / HTTP/1.1\r\nHost: api.test\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", false))
                .startsWith("HTTP/1.1 417 ");
        finish();
        assertThat(exchange("CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\n\r\n", false)).startsWith("HTTP/1.1 405 ");
    }

    @Test
    void refusesTargetsThatCouldReadDifferentlyUpstream() {
        for (String target : List.of("/v1/../../etc/passwd", "/v1/a%2Fb", "/v1/a%5Cb", "/v1/%00", "/v1/%ff", "/v1/a b",
                "*", "http://other.test/v1")) {
            assertThat(exchange("GET " + target + " HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer good-token\r\n\r\n", false))
                    .as(target).startsWith("HTTP/1.1 400 ");
            finish();
        }
        assertThat(gate.admitted()).isEmpty();
    }

    @Test
    void refusesOversizedLinesAndHeaders() {
        assertThat(exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: api.test\r\n\r\n", false)).startsWith("HTTP/1.1 414 ");
        finish();
        assertThat(exchange("GET / HTTP/1.1\r\nHost: api.test\r\nX-Big: " + "b".repeat(17000) + "\r\n\r\n", false))
                .startsWith("HTTP/1.1 431 ");
    }

    @Test
    void asksForATokenAndKeepsTheConnectionForTheNextRequest() {
        bothWays("POST /v1/x HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /v1/y HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer forged\r\n\r\n", out -> {
                    assertThat(out).startsWith("HTTP/1.1 401 Unauthorized\r\n").contains("www-authenticate: Bearer realm=\"airlock\"\r\n");
                    int second = out.indexOf("HTTP/1.1 401", 5);
                    assertThat(second).as("the pipelined request was answered too").isPositive();
                    assertThat(out.substring(second)).contains("error=\"invalid_token\"").contains("signature invalid");
                    assertThat(ch.isActive()).isTrue();
                });
    }

    @Test
    void deniesWithProblemDetailsAndReadsTheNextPipelinedRequest() {
        bothWays("DELETE /v1/invoices/7 HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer good-token\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /nowhere HTTP/1.1\r\nHost: other.test\r\nAuthorization: Bearer good-token\r\n\r\n", out -> {
                    assertThat(out).startsWith("HTTP/1.1 403 Forbidden\r\n").contains("\"rule_id\":\"no-deletes\"")
                            .contains("\"hint\":\"Ask a person.\"").contains("x-request-id: ");
                    assertThat(out.substring(out.indexOf("HTTP/1.1 404"))).contains("urn:airlock:problem:no-route")
                            .contains("host 'other.test'");
                });
        String abc = dev.airlock.policy.Digests.sha256Hex("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(gate.admitted()).as("once per feeding; the unrouted request never reaches the gate").hasSize(2)
                .allSatisfy(c -> {
                    assertThat(((dev.airlock.policy.HttpAction) c.action()).bodyDigest()).isEqualTo(abc);
                    assertThat(c.action().summary()).isEqualTo("DELETE /v1/invoices/7 (body sha256:" + abc.substring(0, 12) + "…)");
                });
    }

    @Test
    void sendsContinueBeforeReadingASmallBody() {
        EmbeddedChannel c = channel();
        c.writeInbound(Unpooled.copiedBuffer("DELETE /v1/x HTTP/1.1\r\nHost: api.test\r\nAuthorization: Bearer good-token\r\n"
                + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n", StandardCharsets.ISO_8859_1));
        ByteBuf first = c.readOutbound();
        assertThat(first.toString(StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        first.release();
        assertThat((Object) c.readOutbound()).as("nothing decided before the body").isNull();
        c.writeInbound(Unpooled.copiedBuffer("{}", StandardCharsets.ISO_8859_1));
        ByteBuf second = c.readOutbound();
        assertThat(second.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 403 ");
        second.release();
    }

}
