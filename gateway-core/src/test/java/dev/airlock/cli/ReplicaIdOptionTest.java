package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicaIdOptionTest {

    private final CliRun cli = new CliRun();

    @ParameterizedTest
    @ValueSource(strings = {"two words", "a/b", "", "an-id-of-sixty-five-characters-is-one-more-than-a-replica-id-may-be"})
    void anIdThatCannotNameASpoolFileOrChainIsRefusedBeforeAnythingStarts(String value) {
        assertThat(cli.run("run", "--replica-id", value)).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(cli.err.toString()).contains("--replica-id: replica id: '" + value + "'")
                .contains("expected: 1-64 letters, digits");
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void theHelpSaysWhyEachReplicaNeedsItsOwn() {
        assertThat(cli.run("run", "--help")).isZero();
        assertThat(cli.out.toString()).contains("--replica-id=ID").contains("AIRLOCK_REPLICA_ID").contains("airlock-1");
    }
}
