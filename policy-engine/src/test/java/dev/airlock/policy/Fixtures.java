package dev.airlock.policy;

import dev.airlock.config.Protocol;
import dev.airlock.config.policy.PolicyReader;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Hand-built inputs for policy tests: no SQL analyser involved. */
final class Fixtures {

    static final Instant MONDAY_NOON = Instant.parse("2026-11-23T12:00:00Z");
    static final ConnectionRef PROD_PG = new ConnectionRef("prod-pg", Protocol.POSTGRES, Map.of("env", "prod"));
    static final ConnectionRef STAGING_PG = new ConnectionRef("staging-pg", Protocol.POSTGRES, Map.of("env", "staging"));
    static final ConnectionRef BASTION = new ConnectionRef("bastion", Protocol.SSH, Map.of("env", "prod"));
    static final ConnectionRef BILLING_API = new ConnectionRef("billing-api", Protocol.HTTP, Map.of());
    static final Identity AGENT = Identity.of("https://idp", "agent-7", Set.of("agents"));
    static final Identity DBA = new Identity("https://idp", "alice", "Alice@Example.com", Set.of("dba", "oncall"),
            Map.of("dept", "infra", "org", Map.of("tier", "gold")), List.of());

    private Fixtures() {}

    static CompiledPolicy policy(String yaml) {
        return PolicyCompiler.compile(PolicyReader.parse("test.yaml", yaml));
    }

    static TableRef table(String qualified) {
        int dot = qualified.indexOf('.');
        return dot < 0 ? new TableRef(null, qualified) : new TableRef(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    static Set<TableRef> tables(String... names) {
        return Set.copyOf(Arrays.stream(names).map(Fixtures::table).toList());
    }

    static SqlStatement stmt(String type, SqlKind kind, Set<TableRef> read, Set<TableRef> written) {
        return new SqlStatement(type, kind, read, written, Set.of(), false, null);
    }

    static SqlAction sql(SqlStatement... statements) {
        return new SqlAction("prod-pg", Protocol.POSTGRES, "-- hand built", List.of(),
                new SqlAnalysis(List.of(statements), "fp"));
    }

    static SqlAction select(String... tables) {
        return sql(stmt("SELECT", SqlKind.READ, tables(tables), Set.of()));
    }

    static SqlAction update(String table, boolean whereAbsent) {
        return sql(new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(), tables(table), Set.of(), whereAbsent, null));
    }

    static SshAction exec(String... argv) {
        return new SshAction("bastion", SshAction.ChannelType.EXEC, argv[0], List.of(argv), SshAction.Transfer.NONE, List.of());
    }

    static HttpAction http(String method, String path) {
        return new HttpAction("billing-api", method, "billing", path, Map.of(), Map.of(), null, null);
    }
}
