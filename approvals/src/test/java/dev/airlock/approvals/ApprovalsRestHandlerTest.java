package dev.airlock.approvals;

import static dev.airlock.approvals.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApprovalsRestHandlerTest {

    private final InMemoryApprovalStore store = new InMemoryApprovalStore();
    private final ApprovalService service = new ApprovalService(store, List.of(),
            new ApprovalService.Settings("replica-a", Duration.ofMillis(200), 2), Clock.systemUTC());
    private final ApprovalsRestHandler rest = new ApprovalsRestHandler(service);

    @AfterEach
    void close() {
        service.close();
    }

    private PendingApproval ask() throws Exception {
        PendingApproval f = service.request(update("UPDATE t SET x = 1"), AGENT_FOR_ALICE,
                profile(Duration.ofMinutes(5), List.of("web")), context());
        assertThat(f.posted().toCompletableFuture().get(5, TimeUnit.SECONDS)).containsExactly("web");
        return f;
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listsOnlyRequestsTheCallerMayVoteOn() throws Exception {
        PendingApproval f = ask();
        HttpReply bob = rest.handle("GET", "/approvals", BOB, new byte[0]);
        assertThat(bob.status()).isEqualTo(200);
        assertThat(bob.bodyText()).contains(f.requestId(), "UPDATE t SET x = 1");
        assertThat(rest.handle("GET", "/approvals", DAVE, new byte[0]).bodyText()).isEqualTo("[]");
        assertThat(rest.handle("GET", "/approvals", AGENT_ITSELF, new byte[0]).bodyText()).isEqualTo("[]");
        assertThat(rest.handle("GET", "/approvals/" + f.requestId(), DAVE, new byte[0]).status()).isEqualTo(404);
        assertThat(rest.handle("GET", "/approvals/" + f.requestId(), ALICE_ELSEWHERE, new byte[0]).status()).isEqualTo(200);
    }

    @Test
    void approveAndDenyFollowTheSameRules() throws Exception {
        PendingApproval f = ask();
        HttpReply self = rest.handle("POST", "/approvals/" + f.requestId() + "/approve", ALICE_ELSEWHERE, new byte[0]);
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.bodyText()).contains("\"rejection\":\"self_approval\"");
        HttpReply deny = rest.handle("POST", "/approvals/" + f.requestId() + "/deny", CAROL, json("{\"reason\":\"not now\"}"));
        assertThat(deny.status()).isEqualTo(200);
        assertThat(deny.bodyText()).contains("\"state\":\"denied\"");
        assertThat(((ApprovalOutcome.Denied) f.get(5, TimeUnit.SECONDS)).reason()).isEqualTo("not now");
        HttpReply late = rest.handle("POST", "/approvals/" + f.requestId() + "/approve", BOB, new byte[0]);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.bodyText()).contains("already denied by carol@example.com: not now");
        assertThat(rest.handle("GET", "/approvals/" + f.requestId(), BOB, new byte[0]).bodyText())
                .contains("\"outcome\":\"Denied by carol@example.com: not now\"");
    }

    @Test
    void badRequestsGetPreciseProblems() throws Exception {
        PendingApproval f = ask();
        assertThat(rest.handle("POST", "/approvals/" + f.requestId() + "/deny", CAROL, json("[1]")).status()).isEqualTo(400);
        assertThat(rest.handle("POST", "/approvals/" + f.requestId() + "/deny", CAROL, json("{\"reason\":3}")).bodyText())
                .contains("reason: (expected: a string)");
        assertThat(rest.handle("POST", "/approvals/" + f.requestId() + "/maybe", CAROL, new byte[0]).status()).isEqualTo(404);
        assertThat(rest.handle("GET", "/approvals/" + f.requestId() + "/approve", CAROL, new byte[0]).status()).isEqualTo(405);
        assertThat(rest.handle("POST", "/approvals/nope/approve", CAROL, new byte[0]).status()).isEqualTo(404);
        assertThat(rest.handle("GET", "/elsewhere", CAROL, new byte[0]).status()).isEqualTo(404);
        assertThat(f).isNotDone();
    }
}
