package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.AirlockConfigLoader;
import dev.airlock.config.ApproverConfig;
import dev.airlock.config.SlackConfig;
import dev.airlock.config.yaml.SecretSource;
import dev.airlock.config.yaml.Validated;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The airlock.yaml and policy {@code airlock demo} writes, with and without a Slack app, pass the real checks. */
class DemoConfigTest {

    static final Map<String, String> ENV = Map.of("SLACK_BOT_TOKEN", "xoxb-demo", "SLACK_APP_TOKEN", "xapp-demo",
            "SLACK_SIGNING_SECRET", "demo-secret");

    @TempDir
    Path dir;

    private AirlockConfig load(DemoSlack slack) throws IOException {
        Files.writeString(dir.resolve("billing-token"), "t");
        Files.writeString(dir.resolve("policy.yaml"), DemoCommand.policy(slack));
        Files.writeString(dir.resolve("airlock.yaml"), DemoCommand.airlockYaml(6432, 8080, 5432, false,
                "http://127.0.0.1:9/", "http://127.0.0.1:8/issuer", 9090, slack));
        Validated<AirlockConfig> v = AirlockConfigLoader.load(dir.resolve("airlock.yaml"), SecretSource.of(ENV));
        assertThat(v.problems()).isEmpty();
        assertThat(CheckConfigCommand.validatePolicyFiles(v.orElseThrow())).isEmpty();
        return v.orElseThrow();
    }

    @Test
    void withoutSlackTheDemoAsksOnTheWebAndTheCli() throws IOException {
        AirlockConfig c = load(null);
        assertThat(c.approvals().slack()).isEmpty();
        assertThat(c.channelIds()).containsExactlyInAnyOrder("cli", "web");
    }

    @Test
    void withSlackOptionsTheDemoAlsoAsksInSlackWithTokensFromTheEnvironment() throws IOException {
        DemoSlack slack = DemoSlack.of("#airlock-demo", "A0DEMO", "T0DEMO", "socket", URI.create("http://127.0.0.1:7/api"),
                List.of("U0ALICE=alice", "U0AGENT=agent-7"), ENV::get);
        AirlockConfig c = load(slack);
        SlackConfig s = c.approvals().slack().orElseThrow();
        assertThat(s.mode()).isEqualTo(SlackConfig.Mode.SOCKET);
        assertThat(s.appToken().orElseThrow().reveal()).isEqualTo("xapp-demo");
        assertThat(s.botToken().source()).isEqualTo("${SLACK_BOT_TOKEN}");
        assertThat(s.users()).isEqualTo(Map.of("U0ALICE", "alice", "U0AGENT", "agent-7"));
        assertThat(s.apiBaseUrl()).isEqualTo(URI.create("http://127.0.0.1:7/api"));
        assertThat(c.approvals().directory()).containsExactly(
                new ApproverConfig("agent-7", Optional.of("agent-7@demo.airlock"), Set.of("agents")),
                new ApproverConfig("alice", Optional.of("alice@demo.airlock"), Set.of("dba")));
        assertThat(c.channelIds()).containsExactlyInAnyOrder("cli", "web", "slack:#airlock-demo");
        assertThat(DemoCommand.policy(slack)).contains("channels: [cli, web, slack:#airlock-demo]");
        assertThat(Files.readString(dir.resolve("airlock.yaml"))).doesNotContain("xoxb-demo", "xapp-demo");

        DemoSlack http = DemoSlack.of("C0DEMO", "A0DEMO", "T0DEMO", "http", null, List.of("U0BOB=bob"), ENV::get);
        assertThat(load(http).approvals().slack().orElseThrow().signingSecret().orElseThrow().reveal()).isEqualTo("demo-secret");
    }

    @Test
    void refusesIncompleteSlackOptionsWithWhatIsMissing() {
        assertThat(DemoSlack.of(null, null, null, "socket", null, List.of(), ENV::get)).isNull();
        assertThatThrownBy(() -> DemoSlack.of(null, "A0DEMO", null, "socket", null, List.of(), ENV::get))
                .hasMessageStartingWith("--slack-channel: missing");
        assertThatThrownBy(() -> DemoSlack.of("#d", null, "T0", "socket", null, List.of("U1=a"), ENV::get))
                .hasMessageStartingWith("--slack-app-id and --slack-team-id: required");
        assertThatThrownBy(() -> DemoSlack.of("#d", "A0", "T0", "socket", null, List.of(), ENV::get))
                .hasMessageStartingWith("--slack-user: missing");
        assertThatThrownBy(() -> DemoSlack.of("#d", "A0", "T0", "socket", null, List.of("alice"), ENV::get))
                .hasMessage("--slack-user: 'alice' (expected: SLACK_MEMBER_ID=NAME, e.g. U0123ABCDEF=alice)");
        assertThatThrownBy(() -> DemoSlack.of("#d", "A0", "T0", "pigeon", null, List.of("U1=a"), ENV::get))
                .hasMessage("--slack-mode: 'pigeon' (expected: socket or http)");
        assertThatThrownBy(() -> DemoSlack.of("#d", "A0", "T0", "socket", null, List.of("U1=a"), Map.<String, String>of()::get))
                .hasMessageStartingWith("SLACK_BOT_TOKEN is not set");
        assertThatThrownBy(() -> DemoSlack.of("#d", "A0", "T0", "http", null, List.of("U1=a"),
                Map.of("SLACK_BOT_TOKEN", "x")::get)).hasMessageStartingWith("SLACK_SIGNING_SECRET is not set");
    }
}
