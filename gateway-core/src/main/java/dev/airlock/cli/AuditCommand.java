package dev.airlock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.ApprovalState;
import dev.airlock.audit.AuditQueries;
import dev.airlock.audit.ChainVerifier;
import dev.airlock.audit.LineageException;
import dev.airlock.audit.QueryResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/** {@code airlock audit …}: what auditors ask the lineage store. Read-only; never migrates the schema. */
@Command(name = "audit",
        description = "Query the lineage store: who touched what, sessions, approvals, tamper evidence.",
        subcommands = {AuditCommand.WhoTouched.class, AuditCommand.Session.class, AuditCommand.Approvals.class,
                AuditCommand.Verify.class})
final class AuditCommand implements Callable<Integer> {

    /** Exit status of {@code verify} when the chain is broken, and of any command when the store fails. */
    static final int EXIT_FAILED = 1;

    @Option(names = "--jdbc-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:AIRLOCK_LINEAGE_URL}",
            description = "Lineage store, jdbc:postgresql://host:port/db (env AIRLOCK_LINEAGE_URL).")
    String jdbcUrl;

    @Option(names = "--user", scope = ScopeType.INHERIT, defaultValue = "${env:AIRLOCK_LINEAGE_USER}",
            description = "Database user (env AIRLOCK_LINEAGE_USER).")
    String user;

    @Option(names = "--password", scope = ScopeType.INHERIT, defaultValue = "${env:AIRLOCK_LINEAGE_PASSWORD}",
            description = "Database password (env AIRLOCK_LINEAGE_PASSWORD).")
    String password;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    DataSource dataSource() {
        if ((jdbcUrl == null || jdbcUrl.isBlank()) && java.nio.file.Files.exists(DemoCommand.DEFAULT_DIR.resolve(DemoCommand.STATE_FILE))) {
            // a running `airlock demo`: its lineage store, no flags needed
            try {
                jdbcUrl = DemoCommand.JSON.readTree(DemoCommand.DEFAULT_DIR.resolve(DemoCommand.STATE_FILE).toFile())
                        .path("lineage_jdbc_url").asText(null);
                user = user == null ? "postgres" : user;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--jdbc-url: missing (expected: jdbc:postgresql://host:port/db, or AIRLOCK_LINEAGE_URL)");
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--jdbc-url: '" + jdbcUrl + "' (expected: jdbc:postgresql://host:port/db)");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        ds.setReadOnly(true);
        ds.setConnectTimeout(5);
        return ds;
    }

    int print(QueryResult r) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode rows = MAPPER.createArrayNode();
            for (List<Object> row : r.rows()) {
                ObjectNode o = rows.addObject();
                for (int i = 0; i < r.columns().size(); i++) {
                    o.set(r.columns().get(i), MAPPER.valueToTree(jsonValue(row.get(i))));
                }
            }
            out.println(write(rows));
        } else {
            out.print(table(r));
        }
        out.flush();
        return 0;
    }

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static Object jsonValue(Object v) {
        if (v instanceof Instant || v instanceof UUID) {
            return v.toString();
        }
        if (v instanceof String s && (s.startsWith("{") || s.startsWith("["))) {
            try {
                return MAPPER.readTree(s);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return s;
            }
        }
        return v;
    }

    static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain text table: header, dashes, one line per row; long cells cut at 60 characters. */
    static String table(QueryResult r) {
        List<String[]> lines = new ArrayList<>();
        lines.add(r.columns().toArray(String[]::new));
        for (List<Object> row : r.rows()) {
            String[] cells = new String[row.size()];
            for (int i = 0; i < cells.length; i++) {
                Object v = row.get(i);
                String s = v == null ? "" : v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                        : String.valueOf(v);
                s = s.replace('\n', ' ');
                cells[i] = s.length() > 60 ? s.substring(0, 59) + "…" : s;
            }
            lines.add(cells);
        }
        int[] w = new int[r.columns().size()];
        for (String[] l : lines) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], l[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < lines.size(); n++) {
            String[] l = lines.get(n);
            for (int i = 0; i < w.length; i++) {
                sb.append(i == 0 ? "" : "  ").append(i == w.length - 1 ? l[i] : String.format("%-" + w[i] + "s", l[i]));
            }
            sb.append('\n');
            if (n == 0) {
                for (int i = 0; i < w.length; i++) {
                    sb.append(i == 0 ? "" : "  ").append("-".repeat(w[i]));
                }
                sb.append('\n');
            }
        }
        sb.append('(').append(r.rows().size()).append(r.rows().size() == 1 ? " row)\n" : " rows)\n");
        return sb.toString();
    }

    /** {@code 7d}, {@code 12h}, {@code 30m}, or an ISO-8601 instant. */
    static Instant since(String s, Instant now) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.matches("\\d+[dhm]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                return switch (t.charAt(t.length() - 1)) {
                    case 'd' -> now.minus(Duration.ofDays(n));
                    case 'h' -> now.minus(Duration.ofHours(n));
                    default -> now.minus(Duration.ofMinutes(n));
                };
            }
            return Instant.parse(s.trim());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("--since: '" + s + "' (expected: 7d, 12h, 30m or an ISO-8601 instant)");
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        AuditCommand audit;

        @Override
        public Integer call() {
            try {
                return run(new AuditQueries(audit.dataSource()));
            } catch (LineageException e) {
                audit.spec.commandLine().getErr().println("airlock audit: " + e.getMessage());
                return EXIT_FAILED;
            }
        }

        abstract int run(AuditQueries q);
    }

    @Command(name = "who-touched", description = "Every action on a data object: who, what, decision, rule, approvers.")
    static final class WhoTouched extends Sub {
        @Parameters(paramLabel = "OBJECT",
                description = "conn.schema.table, schema.table, a table name, a path or an HTTP route.")
        String object;

        @Option(names = "--since", defaultValue = "7d", description = "How far back: 7d, 12h, 30m or an ISO instant (default: ${DEFAULT-VALUE}).")
        String since;

        @Override
        int run(AuditQueries q) {
            Instant from;
            try {
                from = since(since, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(audit.spec.commandLine(), e.getMessage());
            }
            return audit.print(q.whoTouched(object, from));
        }
    }

    @Command(name = "session", description = "A session: who, from where, and each action with its decision and result.")
    static final class Session extends Sub {
        @Parameters(paramLabel = "SESSION-ID")
        String id;

        @Override
        int run(AuditQueries q) {
            UUID sid;
            try {
                sid = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(audit.spec.commandLine(), "SESSION-ID: '" + id + "' (expected: a UUID)");
            }
            QueryResult info = q.sessionInfo(sid);
            if (info.rows().isEmpty()) {
                audit.spec.commandLine().getErr().println("airlock audit: no session " + sid);
                return EXIT_FAILED;
            }
            if (audit.json) {
                ObjectNode o = MAPPER.createObjectNode();
                for (int i = 0; i < info.columns().size(); i++) {
                    o.set(info.columns().get(i), MAPPER.valueToTree(jsonValue(info.rows().get(0).get(i))));
                }
                QueryResult actions = q.session(sid);
                ArrayNode a = o.putArray("actions_detail");
                for (List<Object> row : actions.rows()) {
                    ObjectNode r = a.addObject();
                    for (int i = 0; i < actions.columns().size(); i++) {
                        r.set(actions.columns().get(i), MAPPER.valueToTree(jsonValue(row.get(i))));
                    }
                }
                audit.spec.commandLine().getOut().println(write(o));
                audit.spec.commandLine().getOut().flush();
                return 0;
            }
            audit.print(info);
            audit.spec.commandLine().getOut().println();
            return audit.print(q.session(sid));
        }
    }

    @Command(name = "approvals", description = "Approval requests, newest first.")
    static final class Approvals extends Sub {
        @Option(names = "--state", paramLabel = "STATE",
                description = "Only requests in this state: ${COMPLETION-CANDIDATES}.")
        ApprovalState state;

        @Override
        int run(AuditQueries q) {
            return audit.print(q.approvals(state));
        }
    }

    @Command(name = "verify", description = "Walk the hash chain; exit 1 and name the first broken record if any.")
    static final class Verify extends Sub {
        @Override
        int run(AuditQueries q) {
            ChainVerifier.Report r = ChainVerifier.verify(audit.dataSource());
            PrintWriter out = audit.spec.commandLine().getOut();
            if (audit.json) {
                ObjectNode o = MAPPER.createObjectNode().put("ok", r.ok()).put("records", r.records()).put("chains", r.chains());
                r.firstBreak().ifPresent(b -> o.putObject("first_break").put("chain", b.chain()).put("seq", b.seq())
                        .put("record_id", String.valueOf(b.recordId())).put("problem", b.problem().name())
                        .put("detail", b.detail()));
                out.println(write(o));
            } else if (r.ok()) {
                out.printf("OK: %d record(s) in %d chain(s) verified%n", r.records(), r.chains());
            } else {
                ChainVerifier.Break b = r.firstBreak().orElseThrow();
                out.printf("BROKEN: chain %s, seq %d, record %s: %s (%s)%n", b.chain(), b.seq(), b.recordId(),
                        b.problem(), b.detail());
            }
            out.flush();
            return r.ok() ? 0 : EXIT_FAILED;
        }
    }
}
