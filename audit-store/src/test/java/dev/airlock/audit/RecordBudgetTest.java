package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordBudgetTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T08:00:00Z"));

    @Test
    void recordsUpToTheBudgetThenCountsAndReportsTheCountOnceInTheNextMinute() {
        RecordBudget budget = new RecordBudget(3, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(false, 0));
        }
        clock.advance(Duration.ofSeconds(59)); // 08:00:59, still the same minute
        assertThat(budget.take().record()).isFalse();
        clock.advance(Duration.ofSeconds(1)); // 08:01:00
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 6));
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
        clock.advance(Duration.ofMinutes(1)); // a quiet minute follows: nothing was suppressed
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
    }

    @Test
    void aCountIsReportedEvenWhenTheFirstRecordOfTheNextMinuteIsOverBudgetToo() {
        RecordBudget budget = new RecordBudget(1, clock);
        budget.take();
        budget.take();
        clock.advance(Duration.ofMinutes(1));
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 1));
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(false, 0));
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> new RecordBudget(0, clock)).hasMessageContaining("perMinute: 0");
    }
}
