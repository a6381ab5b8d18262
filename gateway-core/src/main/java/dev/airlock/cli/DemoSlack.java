package dev.airlock.cli;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The demo's Slack app, from {@code airlock demo --slack-…} options; the tokens stay in the environment
 * ({@value #BOT_TOKEN_ENV}, {@value #APP_TOKEN_ENV} or {@value #SIGNING_SECRET_ENV}): the generated airlock.yaml
 * refers to them as {@code ${NAME}}, so they are never written to disk.
 *
 * @param channel the Slack channel cards go to ({@code #name} or a channel id)
 * @param appId   the app id
 * @param teamId  the workspace id
 * @param http    whether clicks come over the signed HTTP endpoint (else Socket Mode)
 * @param apiUrl  the Web API base, or {@code null} for Slack's
 * @param users   Slack member id → demo name (a DBA unless the name starts with {@code agent})
 */
record DemoSlack(String channel, String appId, String teamId, boolean http, URI apiUrl, Map<String, String> users) {

    static final String BOT_TOKEN_ENV = "SLACK_BOT_TOKEN";
    static final String APP_TOKEN_ENV = "SLACK_APP_TOKEN";
    static final String SIGNING_SECRET_ENV = "SLACK_SIGNING_SECRET";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    DemoSlack {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(teamId, "teamId");
        users = Map.copyOf(users);
    }

    /**
     * The app from the demo's options, or {@code null} when {@code channel} is not given.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    static DemoSlack of(String channel, String appId, String teamId, String mode, URI apiUrl, List<String> users,
                        Function<String, String> env) {
        if (channel == null) {
            if (appId != null || teamId != null || apiUrl != null || !users.isEmpty() || !mode.equals("socket")) {
                throw new IllegalArgumentException("--slack-channel: missing (expected with the other --slack-… options)");
            }
            return null;
        }
        if (appId == null || teamId == null) {
            throw new IllegalArgumentException("--slack-app-id and --slack-team-id: required with --slack-channel"
                    + " (the app's Basic Information → App ID; the workspace id, T…)");
        }
        if (!mode.equals("socket") && !mode.equals("http")) {
            throw new IllegalArgumentException("--slack-mode: '" + mode + "' (expected: socket or http)");
        }
        Map<String, String> byId = new LinkedHashMap<>();
        for (String u : users) {
            int eq = u.indexOf('=');
            String name = eq < 0 ? "" : u.substring(eq + 1);
            if (eq <= 0 || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("--slack-user: '" + u + "' (expected: SLACK_MEMBER_ID=NAME, e.g. U0123ABCDEF=alice)");
            }
            byId.put(u.substring(0, eq), name);
        }
        if (byId.isEmpty()) {
            throw new IllegalArgumentException("--slack-user: missing (expected: at least one SLACK_MEMBER_ID=NAME, so someone"
                    + " can approve from Slack)");
        }
        String secret = mode.equals("http") ? SIGNING_SECRET_ENV : APP_TOKEN_ENV;
        for (String var : List.of(BOT_TOKEN_ENV, secret)) {
            if (env.apply(var) == null || env.apply(var).isBlank()) {
                throw new IllegalArgumentException(var + " is not set (expected: the app's " + (var.equals(BOT_TOKEN_ENV)
                        ? "bot token, xoxb-…" : var.equals(APP_TOKEN_ENV) ? "app-level token, xapp-… (socket mode)"
                        : "signing secret (http mode)") + ", in the environment)");
            }
        }
        return new DemoSlack(channel, appId, teamId, mode.equals("http"), apiUrl, byId);
    }

    /** The channel id profiles use. */
    String channelId() {
        return "slack:" + channel;
    }

    /** The {@code approvals:} block of the demo's airlock.yaml (at column 0): the directory and the Slack app. */
    String approvalsYaml(int adminPort, String webClient) {
        StringBuilder y = new StringBuilder("approvals:\n  directory:\n");
        users.values().stream().distinct().sorted().forEach(name -> y.append("    - {subject: ").append(quote(name))
                .append(", email: ").append(quote(name + "@demo.airlock")).append(", groups: [")
                .append(name.startsWith("agent") ? "agents" : "dba").append("]}\n"));
        y.append("  channels:\n    web:\n      base_url: http://127.0.0.1:").append(adminPort).append('\n')
                .append("      client_id: ").append(webClient).append('\n')
                .append("    slack:\n")
                .append("      app_id: ").append(quote(appId)).append('\n')
                .append("      team_id: ").append(quote(teamId)).append('\n')
                .append("      mode: ").append(http ? "http" : "socket").append('\n')
                .append("      bot_token: \"${").append(BOT_TOKEN_ENV).append("}\"\n")
                .append(http ? "      signing_secret: \"${" + SIGNING_SECRET_ENV + "}\"\n" : "      app_token: \"${" + APP_TOKEN_ENV + "}\"\n");
        if (apiUrl != null) {
            y.append("      api_base_url: ").append(quote(apiUrl.toString())).append('\n');
        }
        y.append("      users:\n");
        users.forEach((id, name) -> y.append("        ").append(quote(id)).append(": ").append(quote(name)).append('\n'));
        y.append("      channels: [{channel: ").append(quote(channel)).append("}]\n");
        return y.toString();
    }

    /** A YAML double-quoted scalar. */
    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
