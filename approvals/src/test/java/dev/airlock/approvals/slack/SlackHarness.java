package dev.airlock.approvals.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.airlock.approvals.ApprovalService;
import dev.airlock.approvals.ApprovalStore;
import dev.airlock.approvals.ApproverDirectory;
import dev.airlock.approvals.Fixtures;
import dev.airlock.approvals.HandlerServer;
import dev.airlock.policy.Identity;
import dev.airlock.testing.slack.ClickDriver;
import dev.airlock.testing.slack.SlackStandIn;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Airlock replica wired to the Slack stand-in: store → service → Slack channel, clicks over Socket
 * Mode or the signed HTTP endpoint mounted on a JDK server.
 */
public final class SlackHarness implements AutoCloseable {

    public enum Transport { SOCKET_MODE, HTTP }

    public static final String SECRET = "s3cr3t-signing-secret";
    public static final String U_BOB = "UBOB";
    public static final String U_CAROL = "UCAROL";
    public static final String U_ALICE = "UALICE";
    public static final String U_AGENT = "UAGENT";
    public static final String U_DAVE = "UDAVE";
    public static final String U_BOT = "UBOTUSER";
    public static final String U_GUEST = "UGUEST";
    public static final String U_GONE = "UGONE";
    public static final String U_STRANGER = "USTRANGER";
    public static final String U_ERIN = "UERIN";
    public static final Identity ERIN = new Identity(Fixtures.ISS, "erin", "erin@example.com", Set.of(), Map.of(), List.of());
    public static final Identity ALICE = new Identity(Fixtures.ISS, "alice", "alice@example.com", Set.of("dba"), Map.of(), List.of());

    public final Transport transport;
    public final SlackApprovalChannel channel;
    public final ApprovalService service;
    private final HandlerServer server;
    private final SlackSocketMode socket;
    public final ClickDriver driver;

    public SlackHarness(SlackStandIn slack, ApprovalStore store, Transport transport, String replicaId) throws Exception {
        this(slack, store, transport, replicaId, Duration.ofMillis(500));
    }

    public SlackHarness(SlackStandIn slack, ApprovalStore store, Transport transport, String replicaId, Duration poll)
            throws Exception {
        this.transport = transport;
        slack.addUser(SlackStandIn.SlackUser.person(U_BOB, "bob@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_CAROL, "carol@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_ALICE, "alice@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_AGENT, null));
        slack.addUser(SlackStandIn.SlackUser.person(U_DAVE, "dave@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_STRANGER, "stranger@example.com"));
        slack.addUser(SlackStandIn.SlackUser.person(U_ERIN, "erin@example.com"));
        slack.addUser(new SlackStandIn.SlackUser(U_BOT, SlackStandIn.TEAM, null, false, true, false, false, false));
        slack.addUser(new SlackStandIn.SlackUser(U_GUEST, SlackStandIn.TEAM, "guest@example.com", false, false, true, false, false));
        slack.addUser(new SlackStandIn.SlackUser(U_GONE, SlackStandIn.TEAM, "gone@example.com", true, false, false, false, false));
        // bots, guests and deleted accounts are refused even when mapped
        Map<String, Identity> users = Map.of(U_BOB, Fixtures.BOB, U_CAROL, Fixtures.CAROL, U_ALICE, ALICE,
                U_AGENT, Fixtures.AGENT_ITSELF, U_DAVE, Fixtures.DAVE, U_BOT, Fixtures.BOB, U_GUEST, Fixtures.CAROL,
                U_GONE, Fixtures.CAROL);
        SlackSettings settings = new SlackSettings("xoxb-test-bot", "xapp-1-test", SECRET, SlackStandIn.APP, SlackStandIn.TEAM,
                slack.methodsUrlPrefix(), users, true,
                ApproverDirectory.of(List.of(ERIN)), 3, Duration.ofSeconds(5), Map.of("#db-approvals", "#db-approvals"));
        channel = new SlackApprovalChannel(settings, Clock.systemUTC());
        service = new ApprovalService(store, List.of(channel),
                new ApprovalService.Settings(replicaId, poll, 4), Clock.systemUTC());
        channel.bind(service);
        service.start();
        if (transport == Transport.HTTP) {
            server = new HandlerServer("/slack/interactivity", channel.interactivityHandler());
            driver = new ClickDriver(SECRET, server.uri("/slack/interactivity"));
            socket = null;
        } else {
            server = null;
            driver = null;
            socket = channel.socketMode();
            assertThat(socket.start(10_000)).as("socket mode hello").isTrue();
        }
    }

    /** Delivers an interaction the way Slack would over this harness's transport. */
    public void click(SlackStandIn slack, JsonObject payload) throws Exception {
        if (transport == Transport.HTTP) {
            HttpResponse<String> r = driver.post(payload);
            assertThat(r.statusCode()).as("interactivity answer: %s", r.body()).isEqualTo(200);
        } else {
            slack.awaitAck(slack.deliver(payload), 5_000);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
        service.close();
        channel.close();
    }
}
