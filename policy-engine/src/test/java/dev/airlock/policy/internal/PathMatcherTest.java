package dev.airlock.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathMatcherTest {

    @Test
    void capturesWholeSegments() {
        PathMatcher m = PathMatcher.of("/v1/customers/{id}/refunds");
        assertThat(m.capture("/v1/customers/c-7/refunds")).containsExactly(Map.entry("id", "c-7"));
        assertThat(m.capture("/v1/customers/c-7/x/refunds")).isNull();
        assertThat(m.capture("/v1/customers//refunds")).isNull();
        assertThat(m.capture(null)).isNull();
    }

    @Test
    void doubleStarTakesAsFewSegmentsAsItCan() {
        PathMatcher m = PathMatcher.of("/files/**/{name}");
        assertThat(m.capture("/files/a/b/c.txt")).containsExactly(Map.entry("name", "c.txt"));
        assertThat(m.capture("/files/c.txt")).as("** is at least one segment, as in every path glob").isNull();
        PathMatcher lead = PathMatcher.of("/**/{first}/**");
        assertThat(lead.capture("/a/b/c")).containsExactly(Map.entry("first", "b"));
        assertThat(lead.capture("/a/b")).isNull();
    }

    @Test
    void patternWithoutCapturesIsAPlainPathGlob() {
        PathMatcher m = PathMatcher.of("/v1/*/keys");
        assertThat(m.hasCaptures()).isFalse();
        assertThat(m.capture("/v1/u/keys")).isEmpty();
        assertThat(m.matches("/v1/u/v/keys")).isFalse();
    }

    @Test
    void literalGlobSegmentsStillApply() {
        PathMatcher m = PathMatcher.of("/v?/items/{id}/*.json");
        assertThat(m.capture("/v2/items/9/a.json")).containsExactly(Map.entry("id", "9"));
        assertThat(m.capture("/v2/items/9/a.xml")).isNull();
        assertThatThrownBy(() -> PathMatcher.of("/items/{id}.json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a capture must be a whole segment");
    }
}
