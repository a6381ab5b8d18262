package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Runs every SQL example of docs/auditing.md, and the views, against a populated store. */
@ExtendWith(PostgresExtension.class)
class AuditingDocIT {

    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern EXPECT = Pattern.compile("-- expect: (\\d+) rows?");

    /**
     * The story of {@link Samples#story()}, an SSH download that failed, two decided approval requests and a
     * pending one with a refused vote, a refused chat delivery and two refused connections.
     */
    static Samples.Story populate(LineageStore store, Path spool) throws Exception {
        Samples.Story story = Samples.story();
        UUID scp = UUID.randomUUID();
        List<LineageEvent> events = new ArrayList<>(story.events());
        events.add(ActionRecorded.of(scp, story.session(), Samples.scp()));
        events.add(DecisionRecorded.of(scp, Samples.allow("ops-read-logs")));
        events.add(ResultRecorded.of(scp, null, Duration.ofSeconds(2), "exit:1", "No such file"));
        events.add(SessionRefused.of("pg", "prod", dev.airlock.config.Protocol.POSTGRES, "10.0.0.66:50000", "psql",
                "authentication_failed", "token rejected: the token has expired"));
        events.add(SessionRefused.of("pg", "prod", dev.airlock.config.Protocol.POSTGRES, "10.0.0.66:50001", "psql",
                "authentication_failed", "token rejected: bad signature"));
        try (LineageWriter w = store.startWriter(WriterConfig.defaults(spool).withOpenLineageOutbox(true))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            events.forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
        ApprovalStore approvals = store.approvals("main");
        UUID approved = UUID.randomUUID();
        NewApproval base = ApprovalStoreIT.request(approved);
        approvals.create(new NewApproval(approved, story.write(), base.actionDigest(), story.session(), base.identity(),
                base.connection(), base.policyVersion(), base.profile(), base.approvers(), base.channels(), base.summary(),
                base.expiresAt()));
        approvals.recordVote(approved, "bob", ApprovalVote.Choice.APPROVE, "slack", "ticket CHG-42");
        approvals.compareAndSet(approved, ApprovalState.APPROVED, "bob", "slack", "quorum 1/1");
        UUID denied = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(denied));
        approvals.recordVote(denied, "carol", ApprovalVote.Choice.DENY, "web", "not during the freeze");
        approvals.compareAndSet(denied, ApprovalState.DENIED, "carol", "web", "not during the freeze");
        UUID pending = UUID.randomUUID();
        approvals.create(ApprovalStoreIT.request(pending));
        approvals.recordRefusal(pending, "agent-7", null, "slack", "approve", "self_approval", java.time.Instant.now());
        approvals.recordRejectedInteraction(new ApprovalStore.RejectedInteraction("slack-http", "stale timestamp", null,
                "U0EVIL", "127.0.0.1:40001", "ab".repeat(32), java.time.Instant.now()));
        return story;
    }

    /** An agent's HTTP session with one refund POST answered 201 (status and bytes recorded). */
    static void populateHttp(LineageStore store, Path spool) throws Exception {
        UUID api = UUID.randomUUID();
        UUID refund = UUID.randomUUID();
        List<LineageEvent> events = List.of(
                SessionStarted.of(api, dev.airlock.policy.Identity.of("https://issuer.test", "agent-9",
                        java.util.Set.of("agents")), "billing-api", dev.airlock.config.Protocol.HTTP, "10.0.0.9:40000", null),
                ActionRecorded.of(refund, api, Samples.post()),
                DecisionRecorded.of(refund, Samples.allow("agents-call-billing")),
                ResultRecorded.http(refund, 201, 57L, Duration.ofMillis(12), null));
        try (LineageWriter w = store.startWriter(WriterConfig.defaults(spool).withOpenLineageOutbox(true))) {
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            events.forEach(e -> fs.add(w.append(e).toCompletableFuture()));
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyExampleQueryReturnsTheDocumentedRows(TestDatabase db, @TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "auditing.md"));
        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            populate(store, dir.resolve("spool"));
            populateHttp(store, dir.resolve("spool-http"));
            Matcher m = SQL_BLOCK.matcher(doc);
            int n = 0;
            while (m.find()) {
                String sql = m.group(1).trim();
                Matcher expect = EXPECT.matcher(sql);
                assertThat(expect.find()).as("a '-- expect: N rows' line in:\n%s", sql).isTrue();
                String query = sql.substring(0, sql.lastIndexOf(';'));
                QueryResult r = store.queries().query(query);
                assertThat(r.rows()).as(query).hasSize(Integer.parseInt(expect.group(1)));
                n++;
            }
            assertThat(n).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void viewsLinkWhoAskedWhoApprovedAndWhichRule(TestDatabase db, @TempDir Path dir) throws Exception {
        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            Samples.Story story = populate(store, dir.resolve("spool"));
            AuditQueries q = store.queries();
            assertThat(q.query("SELECT object, access, subject, acting_subject, effect, rule_ids, approvers "
                    + "FROM lineage.who_touched WHERE action_id = ?", story.write()).rows())
                    .containsExactly(List.of("prod.public.customers", "write", "alice", "agent-7", "REQUIRE_APPROVAL",
                            List.of("agent-writes-need-a-dba"), List.of("bob")));
            assertThat(q.query("SELECT action_id, subject, rule_ids, explanation FROM lineage.denials").rows())
                    .containsExactly(List.of(story.ddl(), "alice", List.of("no-ddl-on-prod"),
                            "Schema changes on prod go through a change request."));
            assertThat(q.query("SELECT state, count(*) FROM lineage.approvals GROUP BY state ORDER BY state").rows())
                    .containsExactly(List.of("approved", 1L), List.of("denied", 1L), List.of("pending", 1L));
            assertThat(q.query("SELECT deniers FROM lineage.approvals WHERE state = 'denied'").rows())
                    .containsExactly(List.of(List.of("carol")));
            assertThat(q.whoTouched("customers", java.time.Instant.now().minusSeconds(3600)).rows()).hasSize(3);
            assertThat(q.whoTouched("prod.public.customers", java.time.Instant.now().plusSeconds(60)).rows()).isEmpty();
            assertThat(q.session(story.session()).rows()).hasSize(4);
            assertThat(q.approvals(ApprovalState.PENDING).rows()).hasSize(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }
}
