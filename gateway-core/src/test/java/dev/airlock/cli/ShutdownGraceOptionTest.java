package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShutdownGraceOptionTest {

    private final CliRun cli = new CliRun();

    @ParameterizedTest
    @ValueSource(strings = {"soon", "30", "-5s", "2h"})
    void aGraceThatIsNotADurationUpToAnHourIsRefusedBeforeAnythingStarts(String value) {
        assertThat(cli.run("run", "--shutdown-grace", value)).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(cli.err.toString()).contains("--shutdown-grace: '" + value + "'").contains("a duration up to 1h");
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void theHelpSaysWhatItIsFor() {
        assertThat(cli.run("run", "--help")).isZero();
        assertThat(cli.out.toString()).contains("--shutdown-grace=DURATION").contains("default: 10s")
                .contains("terminationGracePeriodSeconds");
    }
}
