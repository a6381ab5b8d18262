package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.airlock.testing.PostgresExtension;
import dev.airlock.testing.TestDatabase;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class OpenLineageExporterIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private LineageStore store;
    private Samples.Story story;

    @BeforeEach
    void populate(TestDatabase db) throws Exception {
        store = LineageStore.open(StoreConfig.of(db.jdbcUrl(), db.user(), db.password()));
        story = AuditingDocIT.populate(store, dir.resolve("spool"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void exportsEachExecutedActionWithDecisionAndApprovalFacetsToAFile() throws Exception {
        Path out = dir.resolve("events.ndjson");
        try (OpenLineageExporter x = new OpenLineageExporter(store.dataSource(), ExportConfig.file(out))) {
            assertThat(x.exportPending()).isEqualTo(3);
            assertThat(x.exportPending()).isZero();
        }
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).extracting(e -> e.at("/eventType").asText()).containsExactly("COMPLETE", "COMPLETE", "FAIL");
        JsonNode write = events.stream().filter(e -> e.at("/run/runId").asText().equals(story.write().toString()))
                .findFirst().orElseThrow();
        assertThat(write.at("/job/namespace").asText()).isEqualTo("airlock");
        assertThat(write.at("/job/name").asText()).isEqualTo("prod.write");
        assertThat(write.at("/job/facets/sql/query").asText()).isEqualTo("UPDATE customers SET tier = $1 WHERE id = 7");
        assertThat(write.at("/outputs/0/namespace").asText()).isEqualTo("airlock://prod");
        assertThat(write.at("/outputs/0/name").asText()).isEqualTo("public.customers");
        assertThat(write.at("/run/facets/airlock_decision/effect").asText()).isEqualTo("REQUIRE_APPROVAL");
        assertThat(write.at("/run/facets/airlock_decision/ruleIds/0").asText()).isEqualTo("agent-writes-need-a-dba");
        assertThat(write.at("/run/facets/airlock_decision/actingSubject").asText()).isEqualTo("agent-7");
        assertThat(write.at("/run/facets/airlock_approval/state").asText()).isEqualTo("approved");
        assertThat(write.at("/run/facets/airlock_approval/approvers/0").asText()).isEqualTo("bob");
        assertThat(write.at("/run/facets/airlock_approval/_schemaURL").asText()).contains("AirlockApprovalRunFacet");
        JsonNode read = events.stream().filter(e -> e.at("/run/runId").asText().equals(story.read().toString()))
                .findFirst().orElseThrow();
        assertThat(read.at("/inputs").size()).isEqualTo(2);
    }

    @Test
    void deliversThroughTheConsoleTransport() throws Exception {
        try (OpenLineageExporter x = new OpenLineageExporter(store.dataSource(), ExportConfig.console())) {
            assertThat(x.exportPending()).isEqualTo(3);
        }
        assertThat(store.queries().query("SELECT count(*) FROM lineage.openlineage_outbox WHERE delivered_at IS NULL").rows())
                .containsExactly(List.of(0L));
    }

    @Test
    void keepsUndeliveredEventsInTheOutboxUntilTheEndpointAcceptsThem() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        AtomicInteger failFirst = new AtomicInteger(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/lineage", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(failFirst.getAndDecrement() > 0 ? 400 : 201, -1);
            ex.close();
        });
        server.start();
        try (OpenLineageExporter x = new OpenLineageExporter(store.dataSource(),
                ExportConfig.http(URI.create("http://127.0.0.1:" + server.getAddress().getPort())))) {
            assertThat(x.exportPending()).isZero();
            assertThat(store.queries().query("SELECT attempts, last_error IS NOT NULL FROM lineage.openlineage_outbox "
                    + "WHERE attempts > 0").rows()).containsExactly(List.of(1, true));
            assertThat(x.exportPending()).isEqualTo(3);
        } finally {
            server.stop(0);
        }
        assertThat(bodies).hasSize(4);
        assertThat(store.queries().query("SELECT count(*) FROM lineage.openlineage_outbox WHERE delivered_at IS NULL").rows())
                .containsExactly(List.of(0L));
    }
}
