package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.DecisionRecorded;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.LineageWriter;
import dev.airlock.audit.SessionStarted;
import dev.airlock.audit.StoreConfig;
import dev.airlock.audit.WriterConfig;
import dev.airlock.config.Protocol;
import dev.airlock.policy.Decision;
import dev.airlock.policy.Effect;
import dev.airlock.policy.Identity;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@ExtendWith(PostgresExtension.class)
class AuditCommandIT {

    private TestDatabase db;
    private final UUID session = UUID.randomUUID();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void populate(TestDatabase db, @TempDir Path dir) throws Exception {
        this.db = db;
        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
             LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
            w.append(SessionStarted.of(session, Identity.of("https://idp", "alice", Set.of("agents")), "prod",
                    Protocol.POSTGRES, "10.0.0.7:5000", "psql"));
            UUID action = UUID.randomUUID();
            SqlStatement st = new SqlStatement("DELETE", SqlKind.WRITE, Set.of(), Set.of(new TableRef("public", "customers")),
                    Set.of(), false, null);
            w.append(ActionRecorded.of(action, session, new SqlAction("prod", Protocol.POSTGRES,
                    "DELETE FROM customers WHERE id = 1", List.of(), new SqlAnalysis(List.of(st), "fp"))));
            w.appendCommitted(DecisionRecorded.of(action, new Decision(Effect.DENY, null, List.of("no-deletes"),
                    List.of("sql.kind=write"), "No deletes.", null, "v1", List.of(), Map.of())))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private int run(String... args) {
        CommandLine cl = AirlockCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>();
        all.add("audit");
        all.addAll(List.of(args));
        all.addAll(List.of("--jdbc-url", db.jdbcUrl(), "--user", db.user(), "--password", db.password()));
        return cl.execute(all.toArray(String[]::new));
    }

    @Test
    void whoTouchedPrintsATable() {
        assertThat(run("who-touched", "customers", "--since", "1h")).isZero();
        assertThat(out.toString()).contains("subject", "prod.public.customers", "alice", "DENY", "no-deletes", "(1 row)");
    }

    @Test
    void whoTouchedPrintsJson() {
        assertThat(run("who-touched", "prod.public.customers", "--json")).isZero();
        assertThat(out.toString()).contains("\"subject\" : \"alice\"", "\"rule_ids\" : [ \"no-deletes\" ]");
    }

    @Test
    void sessionShowsItsActions() {
        assertThat(run("session", session.toString())).isZero();
        assertThat(out.toString()).contains("10.0.0.7:5000", "DELETE FROM customers WHERE id = 1", "DENY");
    }

    @Test
    void sessionPrintsJsonWithEachAction() {
        assertThat(run("session", session.toString(), "--json")).isZero();
        assertThat(out.toString()).contains("\"subject\" : \"alice\"", "\"client_address\" : \"10.0.0.7:5000\"",
                "\"actions_detail\"", "\"effect\" : \"DENY\"");
    }

    @Test
    void approvalsPrintsJson() {
        assertThat(run("approvals", "--json")).isZero();
        assertThat(out.toString().trim()).isEqualTo("[ ]");
    }

    @Test
    void approvalsFiltersByState() {
        assertThat(run("approvals", "--state", "pending")).isZero();
        assertThat(out.toString()).contains("(0 rows)");
    }

    @Test
    void verifyExitsNonZeroAndNamesTheBrokenRecord() throws Exception {
        assertThat(run("verify")).isZero();
        // the durable-first decision has its own chain (main.durable) next to the bulk one (main)
        assertThat(out.toString()).startsWith("OK: 3 record(s) in 2 chain(s)");
        long edited;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("SELECT seq FROM lineage.session_starts WHERE subject = 'alice'")) {
                rs.next();
                edited = rs.getLong(1);
            }
            s.execute("SET session_replication_role = replica");
            s.execute("UPDATE lineage.session_starts SET subject = 'bob' WHERE subject = 'alice'");
        }
        out.getBuffer().setLength(0);
        assertThat(run("verify", "--json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"ok\" : false", "\"seq\" : " + edited, "CONTENT_HASH_MISMATCH");
    }

    @Test
    void rejectsABadSince() {
        assertThat(run("who-touched", "customers", "--since", "last week")).isEqualTo(AirlockCommand.EXIT_INVALID);
        assertThat(err.toString()).contains("--since: 'last week' (expected: 7d, 12h, 30m or an ISO-8601 instant)");
    }
}
