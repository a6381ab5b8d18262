package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecordBudgetTest {

    private final AtomicLong millis = new AtomicLong(Instant.parse("2026-12-03T08:00:00Z").toEpochMilli());
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    };

    @Test
    void recordsUpToTheBudgetThenCountsAndReportsTheCountOnceInTheNextMinute() {
        RecordBudget budget = new RecordBudget(3, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(false, 0));
        }
        millis.addAndGet(59_000); // 08:00:59, still the same minute
        assertThat(budget.take().record()).isFalse();
        millis.addAndGet(1_000); // 08:01:00
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 6));
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
        millis.addAndGet(60_000); // a quiet minute follows: nothing was suppressed
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 0));
    }

    @Test
    void aCountIsReportedEvenWhenTheFirstRecordOfTheNextMinuteIsOverBudgetToo() {
        RecordBudget budget = new RecordBudget(1, clock);
        budget.take();
        budget.take();
        millis.addAndGet(60_000);
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(true, 1));
        assertThat(budget.take()).isEqualTo(new RecordBudget.Admission(false, 0));
    }

    @Test
    void refusesAnEmptyBudget() {
        assertThatThrownBy(() -> new RecordBudget(0, clock)).hasMessageContaining("perMinute: 0");
    }
}
