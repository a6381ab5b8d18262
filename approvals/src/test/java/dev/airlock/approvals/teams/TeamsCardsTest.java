package dev.airlock.approvals.teams;

import static dev.airlock.approvals.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalProfile;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.Approver;
import dev.airlock.approvals.internal.Texts;
import dev.airlock.approvals.teams.internal.TeamsCards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeamsCardsTest {

    private static final String EVIL = "[click](https://evil.example) ![img](https://evil.example/x.png) **bold** <at>everyone</at>";

    private static ApprovalRequest request(String text, String reason) {
        Instant now = Instant.parse("2026-12-04T10:00:00Z");
        ApprovalProfile p = profile(Duration.ofMinutes(5), List.of("teams:dba"));
        return new ApprovalRequest("req-1", p, AGENT_FOR_ALICE, "digest", text, "prod-db", "postgres", "v1",
                List.of("agent-writes-need-a-dba"), "Writes need a DBA. " + EVIL, reason, "1 row", List.of("public.orders"),
                now, now.plusSeconds(300), "replica-a", null, null);
    }

    @Test
    void untrustedTextIsOnlyEverPlainTextRuns() {
        JsonNode card = TeamsCards.request(request("UPDATE orders SET note = '" + EVIL + "'", EVIL));
        List<JsonNode> holders = card.findParents("text").stream()
                .filter(n -> n.path("text").asText().contains("evil.example")).toList();
        assertThat(holders).hasSize(3) // statement, why, stated reason
                .allSatisfy(n -> assertThat(n.path("type").asText()).isEqualTo("TextRun"));
        // the only TextBlock is the fixed title
        assertThat(card.findParents("text")).filteredOn(n -> n.path("type").asText().equals("TextBlock"))
                .extracting(n -> n.path("text").asText()).containsExactly("Approval needed");
        assertThat(card.path("actions")).extracting(a -> a.path("data").path("requestId").asText()).containsOnly("req-1");
        assertThat(card.path("actions").get(0).path("associatedInputs").asText()).isEqualTo("none");
        assertThat(card.path("actions").get(1).path("associatedInputs").asText()).isEqualTo("auto");
    }

    @Test
    void hugeTextsAreCutAndTheCardStaysSmall() throws Exception {
        String huge = "x".repeat(200_000) + "\uD83D\uDE00";
        ApprovalRequest r = request(huge, null);
        JsonNode card = TeamsCards.request(r);
        byte[] bytes = new ObjectMapper().writeValueAsBytes(TeamsCards.message((com.fasterxml.jackson.databind.node.ObjectNode) card, r));
        assertThat(bytes.length).isLessThan(12_000); // Teams refuses messages over ~28 KB
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("x…");
        assertThat(Texts.cut("ab\uD83D\uDE00cd", 4)).isEqualTo("ab…");
    }

    @Test
    void theOutcomeCardHasNoInputOrButtons() {
        ApprovalRequest r = request("DELETE FROM orders", null);
        JsonNode card = TeamsCards.outcome(r, new ApprovalOutcome.Denied("req-1",
                new Approver("carol", "carol@example.com", "teams", Instant.now()), "freeze"));
        assertThat(card.has("actions")).isFalse();
        assertThat(card.toString()).doesNotContain("Input.Text").contains("Denied by carol@example.com: freeze")
                .contains("\"color\":\"Attention\"");
    }
}
