package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IoThreadsOptionTest {

    private final CliRun cli = new CliRun();

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo"})
    void aThreadCountOutOfRangeIsRefusedBeforeAnythingStarts(String command) {
        assertThat(cli.run(command, "--io-threads", "0")).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(cli.err.toString()).contains("--io-threads: 0 (expected: 1-1024)");
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void aCountThatIsNotANumberIsRefused() {
        assertThat(cli.run("run", "--io-threads", "many")).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(cli.err.toString()).contains("--io-threads").contains("many");
    }
}
