package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Hashing;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by Airlock 0.1 (the JSON journal {@code lineage.record} and its projection trigger, schema
 * at V20 without V4) is migrated and written on: its old records stay verifiable and start the chain that
 * the new writer continues.
 */
@ExtendWith(PostgresExtension.class)
class LineageUpgradeIT {

    private static final List<String> BEFORE_0_2 = List.of("V1__lineage_schema.sql", "V2__auditor_views.sql",
            "V3__openlineage_outbox.sql", "V20__approvals.sql");

    @Test
    void recordsOfTheJsonJournalStayVerifiableAndTheChainContinues(TestDatabase db, @TempDir Path dir) throws Exception {
        Path old = dir.resolve("migrations-0.1");
        Files.createDirectories(old);
        for (String f : BEFORE_0_2) {
            try (InputStream in = getClass().getResourceAsStream("/db/migration/" + f)) {
                Files.copy(in, old.resolve(f));
            }
        }
        Flyway.configure().dataSource(db.dataSource()).schemas("lineage").createSchemas(true)
                .table("flyway_lineage_history").locations("filesystem:" + old).load().migrate();

        UUID session = UUID.randomUUID();
        UUID action = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<String[]> legacy = List.of(
                new String[] {"session_start", sessionBody(session, at)},
                new String[] {"action", actionBody(action, session)},
                new String[] {"decision", "{\"action_id\":\"" + action + "\",\"effect\":\"ALLOW\",\"approval_profile\":null,"
                        + "\"rule_ids\":[\"agents-read\"],\"reason_codes\":[\"sql.kind=read\"],\"explanation\":\"ok\","
                        + "\"hint\":null,\"policy_version\":\"v0\",\"dry_run\":false,\"dry_run_outcomes\":[]}"});
        List<UUID> legacyIds = new ArrayList<>();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            byte[] prev = Hashing.GENESIS;
            long seq = 0;
            for (String[] r : legacy) {
                seq++;
                UUID id = UUID.randomUUID();
                legacyIds.add(id);
                long micros = at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
                byte[] hash = Hashing.link(prev, Hashing.legacyCanonical("main", seq, id, r[0], micros, r[1]));
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.record (chain, seq, record_id, kind, at, "
                        + "body, prev_hash, hash) VALUES ('main', ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setLong(1, seq);
                    ps.setObject(2, id);
                    ps.setString(3, r[0]);
                    ps.setTimestamp(4, Timestamp.from(at));
                    ps.setString(5, r[1]);
                    ps.setBytes(6, prev);
                    ps.setBytes(7, hash);
                    ps.executeUpdate();
                }
                prev = hash;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO lineage.chain_head VALUES ('main', 3, ?, now())")) {
                ps.setBytes(1, prev);
                ps.executeUpdate();
            }
            c.commit();
        }

        try (LineageStore store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()))) {
            assertThat(store.verify().ok()).isTrue();
            Samples.Story story = Samples.story();
            try (LineageWriter w = store.startWriter(WriterConfig.defaults(dir.resolve("spool")))) {
                List<CompletableFuture<Void>> fs = new ArrayList<>();
                story.events().forEach(e -> fs.add(w.append(e).toCompletableFuture()));
                CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
            ChainVerifier.Report r = store.verify();
            assertThat(r.firstBreak()).isEmpty();
            assertThat(r.records()).isEqualTo(3 + story.events().size());
            assertThat(r.chains()).isEqualTo(1);
            assertThat(store.queries().query("SELECT min(seq) FROM lineage.journal WHERE kind = 'policy_version'").rows())
                    .containsExactly(List.of(4L));
            assertThat(store.queries().query("SELECT subject, effect, rule_ids FROM lineage.who_touched WHERE action_id = ?",
                    action).rows()).containsExactly(List.of("alice", "ALLOW", List.of("agents-read")));

            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("SET session_replication_role = replica");
                s.execute("UPDATE lineage.record SET body = replace(body, 'alice', 'mallory') WHERE seq = 1");
            }
            ChainVerifier.Break b = store.verify().firstBreak().orElseThrow();
            assertThat(b.problem()).isEqualTo(ChainVerifier.Problem.CONTENT_HASH_MISMATCH);
            assertThat(b.recordId()).isEqualTo(legacyIds.get(0));
            assertThat(b.detail()).contains("lineage.record");
        }
    }

    private static String sessionBody(UUID session, Instant at) {
        ObjectNode b = EventCodec.JSON.createObjectNode();
        b.put("session_id", session.toString());
        EventCodec.putIdentity(b, Samples.agentForAlice());
        b.put("connection", "prod").put("protocol", "postgres").put("client_address", "10.0.0.7:5000")
                .put("client_program", "psql").put("started_at", at.toString());
        return EventCodec.write(b);
    }

    private static String actionBody(UUID action, UUID session) {
        DataObject o = DataObject.table("prod", "public", "customers");
        return "{\"action_id\":\"" + action + "\",\"session_id\":\"" + session + "\",\"connection\":\"prod\","
                + "\"protocol\":\"postgres\",\"summary\":\"SELECT * FROM customers\",\"action_digest\":\"" + "a".repeat(64)
                + "\",\"text\":\"SELECT * FROM customers\",\"fingerprint\":\"fp\",\"parameters_digest\":null,\"kind\":\"read\","
                + "\"objects\":[{\"object_id\":\"" + o.id() + "\",\"kind\":\"table\",\"connection\":\"prod\",\"schema_name\":"
                + "\"public\",\"table_name\":\"customers\",\"host\":null,\"path\":null,\"method\":null,\"route\":null,"
                + "\"display\":\"" + o.display() + "\",\"access\":\"read\"}]}";
    }
}
