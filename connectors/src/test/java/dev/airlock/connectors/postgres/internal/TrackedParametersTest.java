package dev.airlock.connectors.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackedParametersTest {

    @Test
    void splitsTrackedParametersByCanonicalNameWhateverTheirCase() {
        TrackedParameters.Split s = TrackedParameters.split(Map.of("application_name", "task-1", "datestyle", "ISO",
                "TIMEZONE", "UTC", "work_mem", "64MB"));
        assertThat(s.tracked()).containsOnly(Map.entry("application_name", "task-1"), Map.entry("DateStyle", "ISO"),
                Map.entry("TimeZone", "UTC"));
        assertThat(s.fixed()).containsOnly(Map.entry("work_mem", "64MB"));
    }

    @Test
    void nothingToSendWhenTheConnectionHasWhatTheSessionWants() {
        assertThat(TrackedParameters.syncSql(Map.of("application_name", "a"), Map.of("application_name", "a"))).isNull();
        assertThat(TrackedParameters.syncSql(Map.of(), Map.of())).isNull();
    }

    @Test
    void setsWhatDiffersAndResetsWhatTheSessionDoesNotName() {
        assertThat(TrackedParameters.syncSql(Map.of("application_name", "a", "search_path", "s1, public"),
                Map.of("application_name", "b", "TimeZone", "UTC")))
                .isEqualTo("SELECT pg_catalog.set_config('application_name', E'b', false); "
                        + "SELECT pg_catalog.set_config('TimeZone', E'UTC', false); RESET search_path");
    }

    @Test
    void valuesCannotBreakOutOfTheirLiteral() {
        assertThat(TrackedParameters.syncSql(Map.of(), Map.of("application_name", "x', true); DROP TABLE t; --\\")))
                .isEqualTo("SELECT pg_catalog.set_config('application_name', E'x'', true); DROP TABLE t; --\\\\', false)");
    }
}
