package dev.airlock.audit.bench;

import dev.airlock.audit.ActionRecorded;
import dev.airlock.audit.LineageStore;
import dev.airlock.audit.StoreConfig;
import dev.airlock.audit.internal.Envelope;
import dev.airlock.audit.internal.EventCodec;
import dev.airlock.audit.internal.Journal;
import dev.airlock.config.Protocol;
import dev.airlock.policy.SqlAction;
import dev.airlock.policy.sql.SqlAnalysis;
import dev.airlock.policy.sql.SqlKind;
import dev.airlock.policy.sql.SqlStatement;
import dev.airlock.policy.sql.TableRef;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Where a journal batch spends its time: with and without the projection trigger. */
public final class JournalProbe {
    public static void main(String[] args) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(Files.createTempDirectory("probe")).start();
             LineageStore store = LineageStore.open(StoreConfig.of("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", ""))) {
            SqlStatement st = new SqlStatement("UPDATE", SqlKind.WRITE, Set.of(), Set.of(new TableRef("public", "customers")), Set.of(), false, null);
            SqlAnalysis analysis = new SqlAnalysis(List.of(st), "fp");
            Journal j = new Journal("main");
            for (String mode : new String[] {"with-trigger", "without-trigger", "with-trigger"}) {
                try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE lineage.record " + (mode.equals("with-trigger") ? "ENABLE" : "DISABLE") + " TRIGGER project");
                }
                for (int round = 0; round < 5; round++) {
                    List<Envelope> envs = new ArrayList<>();
                    UUID session = UUID.randomUUID();
                    for (int i = 0; i < 2000; i++) {
                        envs.add(EventCodec.encode(ActionRecorded.of(UUID.randomUUID(), session,
                                new SqlAction("prod", Protocol.POSTGRES, "UPDATE customers SET a = 1", List.of(), analysis))));
                    }
                    long t0 = System.nanoTime();
                    try (Connection c = store.dataSource().getConnection()) {
                        c.setAutoCommit(false);
                        j.append(c, envs, false);
                        long t1 = System.nanoTime();
                        c.commit();
                        System.out.printf("%s: append %.1f ms, commit %.1f ms%n", mode, (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6);
                    }
                }
            }
        }
    }
}
