package dev.airlock.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GlobTest {

    @Test
    void literalPrefixAndEverything() {
        assertThat(Glob.of("prod-db", false).matches("prod-db")).isTrue();
        assertThat(Glob.of("prod-db", false).matches("prod-db2")).isFalse();
        assertThat(Glob.of("prod-*", false).matches("prod-")).isTrue();
        assertThat(Glob.of("prod-*", false).matches("prod-eu/1")).isTrue();
        assertThat(Glob.of("*", false).matches("")).isTrue();
        assertThat(Glob.of("PROD-*", true).matches("prod-x")).isTrue();
        assertThat(Glob.of("PROD-*", false).matches("prod-x")).isFalse();
    }

    @Test
    void starStopsAtSlashInPathModeAndDoubleStarCrossesIt() {
        assertThat(Glob.path("/v1/*").matches("/v1/users")).isTrue();
        assertThat(Glob.path("/v1/*").matches("/v1/users/7")).isFalse();
        assertThat(Glob.path("/v1/**").matches("/v1/users/7")).isTrue();
        assertThat(Glob.path("/v1/*/keys").matches("/v1/users/keys")).isTrue();
        assertThat(Glob.path("/v1/*/keys").matches("/v1/a/b/keys")).isFalse();
        assertThat(Glob.path("/v1/**/keys").matches("/v1/a/b/keys")).isTrue();
        assertThat(Glob.path("/etc/?asswd").matches("/etc/passwd")).isTrue();
        assertThat(Glob.path("/etc?passwd").matches("/etc/passwd")).isFalse();
        assertThat(Glob.of("rm -rf *", false).matches("rm -rf /var/lib")).isTrue();
    }

    @Test
    void middleAndSuffixWildcards() {
        assertThat(Glob.of("*.internal", false).matches("db.internal")).isTrue();
        assertThat(Glob.of("*@example.com", true).matches("Alice@Example.COM")).isTrue();
        assertThat(Glob.of("a*b*c", false).matches("aXbYc")).isTrue();
        assertThat(Glob.of("a*b*c", false).matches("aXbY")).isFalse();
        assertThat(Glob.of("a?c", false).matches("abc")).isTrue();
        assertThat(Glob.of("a?c", false).matches("ac")).isFalse();
    }

    @Test
    @Timeout(2)
    void pathologicalPatternsRunInLinearTime() {
        String input = "a".repeat(200_000);
        assertThat(Glob.of("*a*a*a*a*a*a*a*a*a*b", false).matches(input)).isFalse();
        StringBuilder longPattern = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            longPattern.append("*a");
        }
        assertThat(Glob.of(longPattern + "b", false).matches("a".repeat(5_000))).isFalse();
        assertThat(Glob.of(longPattern.toString(), false).matches("a".repeat(5_000))).isTrue();
    }

    @Test
    void matchesARegionOfAString() {
        assertThat(Glob.of("pg_read_*", true).matches("pg_catalog.pg_read_file", 11, 23)).isTrue();
    }
}
