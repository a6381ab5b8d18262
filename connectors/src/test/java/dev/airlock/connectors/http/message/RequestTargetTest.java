package dev.airlock.connectors.http.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestTargetTest {

    @Test
    void decodesResolvesAndEncodesThePathOneWay() throws Exception {
        RequestTarget t = RequestTarget.parse("/v1/public/../%61dmin/./keys%20x/?q=1");
        assertThat(t.path()).isEqualTo("/v1/admin/keys x/");
        assertThat(t.encodedPath()).isEqualTo("/v1/admin/keys%20x/");
        assertThat(t.rawQuery()).isEqualTo("q=1");
        assertThat(RequestTarget.parse("/").segments()).containsExactly("");
        assertThat(RequestTarget.parse("/a/b/..").path()).isEqualTo("/a/");
        assertThat(RequestTarget.parse("/caf%C3%A9").encodedPath()).isEqualTo("/caf%C3%A9");
        assertThat(RequestTarget.parse("/a;b=c/d@e").encodedPath()).isEqualTo("/a;b=c/d@e");
    }

    @Test
    void refusesWhatPolicyAndUpstreamCouldReadDifferently() {
        for (String bad : List.of("/a%2Fb", "/a%2fb", "/a%5Cb", "/%00", "/a/%2e%2e/%2e%2e/b", "/../x", "/%zz", "/%C3", "/a b",
                "/a\\b", "/a#frag", "*", "relative", "/x?a=%zz", "/x?" + "a&".repeat(300))) {
            assertThatThrownBy(() -> RequestTarget.parse(bad)).as(bad).isInstanceOf(RequestTarget.InvalidTargetException.class);
        }
    }

    @Test
    void readsTheQueryForPolicyWithSemicolonsAsOrdinaryCharacters() throws Exception {
        RequestTarget t = RequestTarget.parse("/x?amount=5;amount=5000&tag=a+b&tag=c%26d");
        assertThat(t.query()).containsEntry("amount", List.of("5;amount=5000")).containsEntry("tag", List.of("a b", "c&d"));
    }

    @Test
    void readsAbsoluteFormAndStripsPrefixes() throws Exception {
        RequestTarget t = RequestTarget.parse("http://Api.Test:8080/billing/v1/x?y=1");
        assertThat(t.authority()).isEqualTo("Api.Test:8080");
        assertThat(t.below("/billing").path()).isEqualTo("/v1/x");
        assertThat(t.below("/billing").rawQuery()).isEqualTo("y=1");
        assertThat(t.below("/bill")).isNull();
        assertThat(RequestTarget.parse("/billing").below("/billing").path()).isEqualTo("/");
        assertThat(RequestTarget.parse("http://h?x=1").path()).isEqualTo("/");
        assertThatThrownBy(() -> RequestTarget.parse("http://user@h/x")).isInstanceOf(RequestTarget.InvalidTargetException.class);
    }
}
