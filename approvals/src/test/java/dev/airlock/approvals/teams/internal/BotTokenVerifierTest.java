package dev.airlock.approvals.teams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.testing.MutableClock;
import dev.airlock.testing.teams.BotFrameworkStandIn;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Key caching and rotation of the verifier of the Bot Framework's delivery tokens. */
class BotTokenVerifierTest {

    private final BotFrameworkStandIn bf;
    private final MutableClock clock = MutableClock.now();

    BotTokenVerifierTest() throws Exception {
        bf = new BotFrameworkStandIn();
    }

    @AfterEach
    void stop() {
        bf.close();
    }

    @Test
    void keysAreFetchedOnceThenAgainForANewKeyAtMostEveryFiveMinutes() {
        BotTokenVerifier v = new BotTokenVerifier(bf.openIdMetadataUrl(), BotFrameworkStandIn.APP_ID, new ObjectMapper(), clock);
        ObjectNode a = bf.invoke(BotFrameworkStandIn.Member.user("b0b00000-0000-4000-8000-000000000001", "bob@example.com"),
                "1:1", "airlock.approve", Map.of("requestId", "r"));
        for (int i = 0; i < 5; i++) {
            assertThat(v.verify(bf.authorization(a), "msteams", a.path("serviceUrl").asText())).isNull();
        }
        assertThat(bf.keyFetches()).isEqualTo(1);

        bf.rotateSigningKey();
        String rotated = bf.authorization(a);
        // a new key id seen within 5 minutes of the last fetch: not refetched (a flood of made-up kids costs nothing)
        clock.advance(Duration.ofMinutes(1));
        assertThat(v.verify(rotated, "msteams", a.path("serviceUrl").asText()).reason()).startsWith("token: signed by unknown key");
        assertThat(bf.keyFetches()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(v.verify(rotated, "msteams", a.path("serviceUrl").asText())).isNull();
        assertThat(bf.keyFetches()).isEqualTo(2);
        // after a day the keys are fetched again even when the key id is known
        clock.advance(Duration.ofHours(25));
        assertThat(v.verify(bf.authorization(bf.invoke(BotFrameworkStandIn.Member.user("b0b00000-0000-4000-8000-000000000001",
                "bob@example.com"), "1:1", "airlock.approve", Map.of()).put("x", 1)), "msteams", a.path("serviceUrl").asText()))
                .isNotNull(); // the token's own exp (1 h, from the real clock) is now long past
        assertThat(bf.keyFetches()).isEqualTo(3);
    }

    @Test
    void unreachableKeysAnswer503AndKeepNothingOpen() {
        BotTokenVerifier v = new BotTokenVerifier(URI.create("http://127.0.0.1:9/v1/.well-known/openidconfiguration"),
                BotFrameworkStandIn.APP_ID, new ObjectMapper(), clock);
        ObjectNode a = bf.invoke(BotFrameworkStandIn.Member.user("b0b00000-0000-4000-8000-000000000001", "bob@example.com"),
                "1:1", "airlock.approve", Map.of());
        for (int i = 0; i < 3; i++) { // the first tries to fetch; the next two are refused at once
            BotTokenVerifier.Refusal r = v.verify(bf.authorization(a), "msteams", a.path("serviceUrl").asText());
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.reason()).isEqualTo("the Bot Framework's signing keys could not be fetched");
        }
    }
}
