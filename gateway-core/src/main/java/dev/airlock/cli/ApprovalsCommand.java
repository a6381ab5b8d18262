package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock approvals list|show|approve|deny}: the approvals REST API from the command line, authenticated
 * with the approver's OIDC token ({@code --token} or {@code AIRLOCK_TOKEN}). Without {@code --url} it talks to the
 * running demo (its state file), else to {@code http://127.0.0.1:9090}.
 */
@Command(name = "approvals", mixinStandardHelpOptions = true, description = "List and decide pending approval requests.",
        subcommands = {ApprovalsCommand.ListPending.class, ApprovalsCommand.Show.class, ApprovalsCommand.Approve.class,
            ApprovalsCommand.Deny.class})
final class ApprovalsCommand implements Callable<Integer> {

    static final int EXIT_REFUSED = 1;
    static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** Where and as whom. */
    static final class Target {
        @Option(names = "--url", paramLabel = "URL",
                description = "Airlock's admin URL (default: the running demo's, else http://127.0.0.1:9090).")
        URI url;

        @Option(names = "--token", paramLabel = "TOKEN", description = "Your OIDC access token (default: $AIRLOCK_TOKEN).")
        String token;

        @Option(names = "--demo-dir", paramLabel = "DIR", hidden = true)
        Path demoDir = DemoCommand.DEFAULT_DIR;

        URI base() throws Exception {
            if (url != null) {
                return url;
            }
            Path state = demoDir.resolve(DemoCommand.STATE_FILE);
            if (Files.exists(state)) {
                return URI.create(JSON.readTree(state.toFile()).get("admin_url").asText());
            }
            return URI.create("http://127.0.0.1:9090");
        }

        String token() {
            String t = token != null ? token : System.getenv("AIRLOCK_TOKEN");
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("no token: pass --token or set AIRLOCK_TOKEN");
            }
            return t.trim();
        }

        HttpResponse<String> call(String method, String path, String body) throws Exception {
            URI uri = URI.create(base().toString().replaceAll("/$", "") + "/api/v1/approvals" + path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token()).header("Accept", "application/json")
                    .header("X-Airlock-Client", "cli");
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            try {
                return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new IllegalStateException("cannot reach Airlock at " + base() + " (is it running?)", e);
            }
        }
    }

    static int fail(CommandLine.Model.CommandSpec spec, HttpResponse<String> r) {
        String detail = r.body();
        try {
            JsonNode n = JSON.readTree(r.body());
            detail = n.hasNonNull("detail") ? n.get("detail").asText() : n.path("message").asText(r.body());
        } catch (Exception e) {
            // not JSON: show as is
        }
        spec.commandLine().getErr().println("airlock approvals: " + r.statusCode() + ": " + detail);
        spec.commandLine().getErr().flush();
        return EXIT_REFUSED;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One pending request per line, its id first.")
    static final class ListPending implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "Print the JSON array as returned by the API.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HttpResponse<String> r = target.call("GET", "", null);
            if (r.statusCode() != 200) {
                return fail(spec, r);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(r.body());
            } else {
                for (JsonNode a : JSON.readTree(r.body())) {
                    // agent text on a terminal: no escape sequences or bidi tricks
                    String stmt = a.get("statement").asText().replaceAll("\\s+", " ").replaceAll("[\\p{Cc}\\p{Cf}]", "");
                    out.println(a.get("id").asText() + "  " + a.get("requester").asText() + "  " + a.get("connection").asText()
                            + "  expires " + a.get("expires_at").asText() + "  "
                            + (stmt.length() > 80 ? stmt.substring(0, 80) + "…" : stmt));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one request.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            HttpResponse<String> r = target.call("GET", "/" + id, null);
            if (r.statusCode() != 200) {
                return fail(spec, r);
            }
            spec.commandLine().getOut().println(JSON.readTree(r.body()).toPrettyString());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    abstract static class VoteCommand implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in lineage).")
        String reason;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract String verb();

        @Override
        public Integer call() throws Exception {
            String body = reason == null ? null : JSON.createObjectNode().put("reason", reason).toString();
            HttpResponse<String> r = target.call("POST", "/" + id + "/" + verb(), body);
            if (r.statusCode() != 200) {
                return fail(spec, r);
            }
            JsonNode n = JSON.readTree(r.body());
            spec.commandLine().getOut().println(id + ": " + n.get("message").asText() + " (state: " + n.get("state").asText() + ")");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a request.")
    static final class Approve extends VoteCommand {
        @Override
        String verb() {
            return "approve";
        }
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, description = "Deny a request.")
    static final class Deny extends VoteCommand {
        @Override
        String verb() {
            return "deny";
        }
    }
}
