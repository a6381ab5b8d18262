package dev.airlock.gateway;

import dev.airlock.policy.CompiledPolicy;
import dev.airlock.policy.sql.SqlAnalyzer;
import java.util.Objects;

/**
 * One loaded policy and the SQL analyser its settings call for; swapped as a whole on hot reload so a
 * command is always analysed and decided under the same version.
 */
public record PolicySnapshot(CompiledPolicy policy, SqlAnalyzer analyzer) {
    public PolicySnapshot {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(analyzer, "analyzer");
    }

    public static PolicySnapshot of(CompiledPolicy policy) {
        return new PolicySnapshot(policy, new SqlAnalyzer(policy.sqlAnalyzerOptions()));
    }
}
