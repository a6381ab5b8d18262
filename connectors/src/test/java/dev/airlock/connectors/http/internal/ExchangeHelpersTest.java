package dev.airlock.connectors.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.connectors.http.HttpRoute;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExchangeHelpersTest {

    @Test
    void readsHostHeaders() {
        assertThat(Exchange.hostName("API.Example.com:8443")).isEqualTo("api.example.com");
        assertThat(Exchange.hostName("127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(Exchange.hostName("[::1]:80")).isEqualTo("[::1]");
        for (String bad : new String[] {"", ":80", "a..b", ".a", "a-", "a b", "a:x", "a:123456", "[::1", "[zz]", "a/b", "a@b"}) {
            assertThat(Exchange.hostName(bad)).as(bad).isNull();
        }
    }

    @Test
    void readsBearerTokensOnly() {
        assertThat(Exchange.bearer(new DefaultHttpHeaders().set("Authorization", "Bearer abc.DEF-_~+/="))).isEqualTo("abc.DEF-_~+/=");
        assertThat(Exchange.bearer(new DefaultHttpHeaders().set("Authorization", "bearer  tok "))).isEqualTo("tok");
        assertThat(Exchange.bearer(new DefaultHttpHeaders().set("Authorization", "Basic YTpi"))).isNull();
        assertThat(Exchange.bearer(new DefaultHttpHeaders().set("Authorization", "Bearer a b"))).isNull();
        assertThat(Exchange.bearer(new DefaultHttpHeaders().add("Authorization", "Bearer a").add("Authorization", "Bearer b"))).isNull();
        assertThat(Exchange.bearer(new DefaultHttpHeaders())).isNull();
    }

    @Test
    void readsPreferAndJsonMediaTypes() {
        assertThat(Exchange.prefersAsync(new DefaultHttpHeaders().set("Prefer", "wait=5, respond-async"))).isTrue();
        assertThat(Exchange.prefersAsync(new DefaultHttpHeaders().set("Prefer", "respond-asynchronously"))).isFalse();
        assertThat(Exchange.isJson("application/json; charset=utf-8")).isTrue();
        assertThat(Exchange.isJson("application/merge-patch+json")).isTrue();
        assertThat(Exchange.isJson("text/json")).isFalse();
    }

    @Test
    void refusesCredentialHeadersThatCouldInjectUpstream() {
        HttpRoute r = HttpRoute.of("api", URI.create("http://127.0.0.1:1/"));
        assertThatThrownBy(() -> r.withCredentialHeaders(Map.of("X-Key", "a\r\nX-Evil: 1")))
                .hasMessage("credentialHeaders: the value of X-Key holds a control character");
        assertThatThrownBy(() -> r.withCredentialHeaders(Map.of("X Key", "a"))).hasMessageContaining("header name token");
    }
}
