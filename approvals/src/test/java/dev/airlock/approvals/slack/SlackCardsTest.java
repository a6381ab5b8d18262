package dev.airlock.approvals.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.airlock.approvals.ApprovalOutcome;
import dev.airlock.approvals.ApprovalRequest;
import dev.airlock.approvals.Fixtures;
import dev.airlock.approvals.slack.internal.SlackCards;
import dev.airlock.approvals.slack.internal.SlackSignature;
import dev.airlock.approvals.slack.internal.SlackText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlackCardsTest {

    private static ApprovalRequest request(String text, String reason) {
        Instant now = Instant.parse("2026-11-22T04:00:00Z");
        return new ApprovalRequest("apr_0123", Fixtures.profile(Duration.ofMinutes(15), List.of("slack:#db")),
                Fixtures.AGENT_FOR_ALICE, "d1g35t", text, "prod-db", "postgres", "v1", List.of("agent-writes-need-a-dba"),
                "Writes on prod-db need a DBA.", reason, null, List.of("public.orders"), now, now.plusSeconds(900), "r1", null, null);
    }

    @Test
    void signatureMatchesSlacksKnownAnswer() {
        String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
                + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
                + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
                + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        SlackSignature sig = new SlackSignature("8f742231b10e8888abcd99yyyzzz85a5");
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        assertThat(sig.sign("1531420618", raw)).isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
        assertThat(sig.matches("1531420618", raw, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")).isTrue();
        assertThat(sig.matches("1531420619", raw, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")).isFalse();
        assertThat(sig.matches("1531420618", raw, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50")).isFalse();
        // the click driver signs with its own code: it must give Slack's answer too
        assertThat(dev.airlock.testing.slack.ClickDriver.sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body))
                .isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    }

    @Test
    void timestampsMoreThanFiveMinutesAwayEitherWayAreNotFresh() {
        assertThat(SlackSignature.fresh(1000, 1300)).isTrue();
        assertThat(SlackSignature.fresh(1000, 1301)).isFalse();
        assertThat(SlackSignature.fresh(1301, 1000)).isFalse();
        assertThat(SlackSignature.fresh(1300, 1000)).isTrue();
    }

    @Test
    void agentTextCannotMentionChannelsOrInjectLinks() {
        ApprovalRequest r = request("UPDATE t SET x = '<!channel> <https://evil.example|click> & <@U123>'",
                "<!here> please approve <https://evil.example|now>");
        String json = SlackCards.request(r).toString();
        assertThat(json).doesNotContain("<!channel>", "<!here>", "<https://evil", "<@U123>");
        assertThat(json).contains("&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; &lt;@U123&gt;");
        assertThat(json).contains("&lt;!here&gt; please approve");
    }

    @Test
    void statedReasonIsShownUnverifiedAndCannotMentionOrLink() {
        ApprovalRequest r = request("DELETE FROM t", "@channel @HERE ＠everyone <!here|here> <@U0BOSS> <#C0GENERAL> "
                + "<https://evil.example|Slack security> & https://evil.example/x *approved by the CTO*");
        JsonArray blocks = SlackCards.request(r);
        String why = null;
        for (JsonElement b : blocks) {
            JsonObject o = b.getAsJsonObject();
            if (o.has("text") && o.getAsJsonObject("text").get("text").getAsString().contains("stated reason")) {
                why = o.getAsJsonObject("text").get("text").getAsString();
                assertThat(o.getAsJsonObject("text").get("verbatim").getAsBoolean()).as("no auto-linking or mentions").isTrue();
            }
        }
        assertThat(why).isNotNull().contains("*Agent's stated reason (unverified):* ");
        assertThat(why).doesNotContain("<!", "<@", "<#", "<http", "@channel", "@HERE", "＠everyone")
                .contains("@\u2060channel @\u2060HERE ＠\u2060everyone &lt;!here|here&gt; &lt;@U0BOSS&gt; &lt;#C0GENERAL&gt; "
                        + "&lt;https://evil.example|Slack security&gt; &amp; https://evil.example/x");
        // every mrkdwn text on the card is verbatim, so Slack adds no links or mentions anywhere
        String json = blocks.toString();
        assertThat(json.split("\"type\":\"mrkdwn\"", -1).length - 1)
                .isEqualTo(json.split("\"verbatim\":true", -1).length - 1);
    }

    @Test
    void cardHasButtonsBoundToTheRequestWithinSlackLimits() {
        JsonArray blocks = SlackCards.request(request("x".repeat(10_000), null));
        JsonObject actions = blocks.get(blocks.size() - 1).getAsJsonObject();
        assertThat(actions.get("type").getAsString()).isEqualTo("actions");
        assertThat(actions.get("block_id").getAsString()).isEqualTo("airlock:apr_0123");
        JsonArray buttons = actions.getAsJsonArray("elements");
        assertThat(buttons.get(0).getAsJsonObject().get("action_id").getAsString()).isEqualTo("airlock.approve");
        assertThat(buttons.get(1).getAsJsonObject().get("action_id").getAsString()).isEqualTo("airlock.deny");
        for (JsonElement b : buttons) {
            assertThat(b.getAsJsonObject().get("value").getAsString()).isEqualTo("apr_0123");
        }
        for (JsonElement b : blocks) {
            JsonObject o = b.getAsJsonObject();
            if (o.has("text") && o.get("type").getAsString().equals("section")) {
                assertThat(o.getAsJsonObject("text").get("text").getAsString().length()).isLessThanOrEqualTo(3000);
            }
        }
        String code = blocks.get(2).getAsJsonObject().getAsJsonObject("text").get("text").getAsString();
        assertThat(code).startsWith("```").endsWith("…```");
    }

    @Test
    void truncationNeverSplitsAnEntityOrASurrogatePair() {
        String s = SlackText.escapeAndTruncate("aaaa&bbbb", 7);
        assertThat(s).isEqualTo("aaaa…");
        String emoji = SlackText.escapeAndTruncate("ab\uD83D\uDE00cd", 4);
        assertThat(emoji).isEqualTo("ab…");
        String code = SlackText.codeBlock("a```b", 100);
        assertThat(code.substring(3, code.length() - 3)).doesNotContain("```");
    }

    @Test
    void outcomeCardHasNoButtons() {
        ApprovalRequest r = request("DELETE FROM t", null);
        String json = SlackCards.outcome(r, new ApprovalOutcome.Expired(r.id())).toString();
        assertThat(json).doesNotContain("airlock.approve").contains("Expired without a decision");
    }
}
