package dev.airlock.gateway;

import static dev.airlock.testing.Await.await;
import static dev.airlock.gateway.PostgresGatewayIT.awaitRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.approvals.StoredApproval;
import dev.airlock.testing.PostgresFixture;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real {@code pg_dump} through Airlock: its {@code COPY … TO stdout} exports wait for a DBA, and the dump
 * completes once they are approved.
 *
 * <p>pg_dump refuses a server newer than itself, and the PostgreSQL client of a stock Debian 12 machine is 15 while
 * the BOM's embedded server is 17; so this class puts Airlock in front of its own embedded PostgreSQL built from the
 * 15 binaries that the build unpacks into {@code target/pg-dump-upstream} (root pom:
 * {@code pg-dump-upstream.binaries.version}). The lineage store stays on the shared 17 server.
 */
class PgDumpIT {

    /** Set by failsafe (gateway-core pom): the directory of unpacked io.zonky bundles and their version. */
    static final String BUNDLES_PROPERTY = "airlock.test.pgdump.upstream.dir";
    static final String VERSION_PROPERTY = "airlock.test.pgdump.upstream.version";
    /** A pg_dump to use instead of the one on the PATH. */
    static final String PG_DUMP_PROPERTY = "airlock.test.pg_dump";

    static PostgresFixture upstreamServer;
    static GatewayHarness h;
    static Path pgDump;
    /** Why this machine cannot run the test, or null. */
    static String skipReason;

    @BeforeAll
    static void start() throws Exception {
        skipReason = whyNotHere();
        if (skipReason == null) {
            upstreamServer = PostgresFixture.startEmbedded(Path.of(System.getProperty(BUNDLES_PROPERTY)));
            PostgresGatewayIT.h = h = new GatewayHarness(upstreamServer);
        }
    }

    private static String whyNotHere() throws Exception {
        pgDump = locatePgDump();
        if (pgDump == null) {
            return "pg_dump is not installed (not on the PATH; -D" + PG_DUMP_PROPERTY + "=<path> names another)";
        }
        String version = System.getProperty(VERSION_PROPERTY);
        if (System.getProperty(BUNDLES_PROPERTY) == null || version == null) {
            return BUNDLES_PROPERTY + " is not set (run it through Maven, which unpacks the PostgreSQL binaries)";
        }
        if (!System.getProperty("os.name").equals("Linux") || !System.getProperty("os.arch").equals("amd64")) {
            return "its PostgreSQL " + version + " upstream is fetched for linux-amd64 only, this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch");
        }
        int client = majorVersion(PostgresClientsIT.exec(List.of(pgDump.toString(), "--version"), "").out());
        int server = Integer.parseInt(version.substring(0, version.indexOf('.')));
        if (client < server) {
            return pgDump + " is version " + client + " and cannot dump its PostgreSQL " + server + " upstream";
        }
        return null;
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (upstreamServer != null) {
            upstreamServer.stop();
        }
    }

    static Path locatePgDump() {
        String configured = System.getProperty(PG_DUMP_PROPERTY);
        if (configured != null) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? p : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = dir.isEmpty() ? null : Path.of(dir, "pg_dump");
            if (p != null && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** {@code pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)} → 15. */
    static int majorVersion(String versionLine) {
        Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(versionLine);
        if (!m.find()) {
            throw new IllegalStateException("pg_dump --version: unexpected output '" + versionLine.strip() + "'");
        }
        return Integer.parseInt(m.group(1));
    }

    @Test
    void pgDumpWaitsForApprovalOfEachExportAndCompletesOnceApproved() throws Exception {
        if (skipReason != null) {
            System.err.println("[WARNING] PgDumpIT skipped: " + skipReason); // in the build log, not only the report
        }
        assumeTrue(skipReason == null, skipReason);
        try (var c = h.upstream.connect()) {
            assertThat(c.getMetaData().getDatabaseMajorVersion()).as("upstream major version")
                    .isEqualTo(Integer.parseInt(System.getProperty(VERSION_PROPERTY).split("\\.")[0]));
        }
        String conninfo = "host=127.0.0.1 port=" + h.server.port("pg") + " dbname=shop user=agent-1 sslmode=disable";
        CompletableFuture<PostgresClientsIT.Result> dump = CompletableFuture.supplyAsync(() -> {
            try {
                // --verbose: pg_dump shows the server's notices (Airlock's "awaiting approval …") only then
                return PostgresClientsIT.exec(List.of(pgDump.toString(), "--no-owner", "--verbose", conninfo),
                        h.token("agent-1", "agents"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // approve each COPY … TO stdout as it comes to wait, until pg_dump is done; each one waits for its approval
        List<String> approved = new ArrayList<>();
        while (true) {
            Optional<StoredApproval> next = await(() -> dump.isDone() ? Optional.of(Optional.<StoredApproval>empty())
                    : h.server.approvals().pending().stream().filter(p -> !approved.contains(p.id())).findFirst().map(Optional::of));
            if (next.isEmpty()) {
                break;
            }
            StoredApproval p = next.get();
            assertThat(p.request().actionText()).as("held statement").startsWith("COPY public.");
            assertThat(PostgresGatewayIT.call("POST", "/" + p.id() + "/approve", h.token("bob", "dba"),
                    "{\"reason\":\"export ok\"}").statusCode()).isEqualTo(200);
            approved.add(p.id());
        }
        PostgresClientsIT.Result r = dump.get(60, TimeUnit.SECONDS);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).as("the notice libpq prints while pg_dump waits").contains("awaiting approval " + approved.get(0));
        assertThat(r.out()).contains("CREATE TABLE public.items").contains("COPY public.items (id, name) FROM stdin;")
                .contains("10\titem 10\n").contains("COPY public.slow (id) FROM stdin;");
        assertThat(approved).as("one approval per table").hasSize(2);

        // lineage: each export (which table, by whom, held by which rule, approved by whom, rows) and its approval
        for (String table : List.of("items", "slow")) {
            assertThat(awaitRow("SELECT w.access, w.action_kind, w.subject, w.effect, array_to_string(w.rule_ids, ','), "
                    + "array_to_string(w.approvers, ','), w.rows, s.client_program FROM lineage.who_touched w "
                    + "JOIN lineage.sessions s USING (session_id) WHERE w.table_name = '" + table + "' "
                    + "AND w.access = 'export' AND w.rows IS NOT NULL"))
                    .as("export of %s", table).containsExactly("export", "export", "agent-1", "REQUIRE_APPROVAL",
                            "agent-writes-need-a-dba", "bob", table.equals("items") ? "10" : "0", "pg_dump");
        }
        for (String id : approved) {
            assertThat(awaitRow("SELECT a.state, a.decided_by, array_to_string(a.approvers, ','), v.vote, v.reason "
                    + "FROM lineage.approvals a JOIN lineage.approval_votes v USING (request_id) "
                    + "WHERE request_id = '" + id + "' AND a.state <> 'pending'"))
                    .containsExactly("approved", "bob", "bob", "approve", "export ok");
        }
        assertThat(awaitRow("SELECT count(*) FROM lineage.actions a JOIN lineage.sessions s USING (session_id) "
                + "JOIN lineage.decisions d USING (action_id) WHERE s.client_program = 'pg_dump' AND d.effect <> 'ALLOW' "
                + "AND a.kind <> 'export'")).as("pg_dump's other statements were all allowed").containsExactly("0");
    }
}
