package dev.attest.lineage.openlineage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.lineage.openlineage.RunEventEmitter.Dataset;
import dev.attest.lineage.openlineage.RunEventEmitter.RunFacts;
import dev.attest.reports.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** START, COMPLETE and FAIL events go through the real openlineage-java file transport and validate against the spec. */
class RunEventEmitterTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    static RunFacts facts(UUID id, Map<String, Long> findings) {
        return new RunFacts(id, "audit", "20260301T000000Z-abc", List.of(new Dataset("file", "/data/events.csv", 3L, 120L),
                new Dataset("file", "/data/decisions.csv", 3L, 200L), new Dataset("file", "/data/policies", null, null)),
                findings == null ? List.of() : List.of(new Dataset("file", "/runs/x/findings.parquet", 2L, 4096L)),
                findings, findings == null ? null : Map.of("critical", 1L, "error", 1L), findings == null ? null : new BigDecimal("0.5"),
                findings == null ? null : 1);
    }

    @Test
    void startCompleteAndFailEventsAreValidOpenLineage(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("ol/events.jsonl");
        RunEventEmitter emitter = new RunEventEmitter(new RunEventEmitter.Destination.File(file));
        UUID ok = UUID.randomUUID(), bad = UUID.randomUUID();
        Map<String, Long> findings = new LinkedHashMap<>();
        findings.put("AMOUNT_MISMATCH", 1L);
        findings.put("MISSING_DECISION", 0L);
        emitter.start(facts(ok, null), T0);
        emitter.complete(facts(ok, findings), T0.plusSeconds(5));
        emitter.start(facts(bad, null), T0);
        emitter.fail(facts(bad, null), T0.plusSeconds(1), "events input: file x.csv has no column 'quantity'", "trace");

        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(4);
        for (String line : lines) assertThat(OpenLineageSchema.violations(line)).as(line).isEmpty();

        JsonNode complete = Json.MAPPER.readTree(lines.get(1));
        assertThat(complete.get("eventType").asString()).isEqualTo("COMPLETE");
        assertThat(complete.get("run").get("runId").asString()).isEqualTo(ok.toString());
        assertThat(complete.get("job").get("namespace").asString()).isEqualTo("attest");
        JsonNode counts = complete.get("run").get("facets").get("attest_findings");
        assertThat(counts.get("findings").get("AMOUNT_MISMATCH").asLong()).isEqualTo(1);
        assertThat(counts.get("severities").get("critical").asLong()).isEqualTo(1);
        JsonNode decisions = complete.get("inputs").get(1);
        assertThat(decisions.get("name").asString()).isEqualTo("/data/decisions.csv");
        JsonNode assertions = decisions.get("inputFacets").get("dataQualityAssertions").get("assertions");
        assertThat(assertions.get(0).get("assertion").asString()).isEqualTo("no AMOUNT_MISMATCH findings");
        assertThat(assertions.get(0).get("success").asBoolean()).isFalse();
        assertThat(assertions.get(1).get("success").asBoolean()).isTrue();
        assertThat(complete.get("outputs").get(0).get("outputFacets").get("outputStatistics").get("rowCount").asLong()).isEqualTo(2);

        JsonNode fail = Json.MAPPER.readTree(lines.get(3));
        assertThat(fail.get("eventType").asString()).isEqualTo("FAIL");
        assertThat(fail.get("run").get("runId").asString()).isEqualTo(bad.toString());
        assertThat(fail.get("run").get("facets").get("errorMessage").get("message").asString()).contains("has no column 'quantity'");
    }

    @Test
    void theHttpTransportPostsEachEventToTheConfiguredEndpoint() throws Exception {
        List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> auth = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/lineage", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(201, -1);
            ex.close();
        });
        server.start();
        try {
            OpenLineageSettings settings = OpenLineageSettings.from(Map.of("attest.openlineage.url",
                    "http://127.0.0.1:" + server.getAddress().getPort(), "attest.openlineage.api-key", "k-123")::get);
            RunEventEmitter emitter = new RunEventEmitter(settings.destination(Path.of("/unused")));
            UUID id = UUID.randomUUID();
            emitter.start(facts(id, null), T0);
            emitter.fail(facts(id, null), T0.plusSeconds(1), "boom", null);
        } finally {
            server.stop(0);
        }
        assertThat(bodies).hasSize(2);
        for (String b : bodies) assertThat(OpenLineageSchema.violations(b)).as(b).isEmpty();
        assertThat(Json.MAPPER.readTree(bodies.get(1)).get("eventType").asString()).isEqualTo("FAIL");
        assertThat(auth).containsOnly("Bearer k-123");
    }

    @Test
    void settingsDefaultToAFileInTheOutputFolder() {
        Path out = Path.of("/runs");
        assertThat(OpenLineageSettings.from(k -> null).destination(out)).isEqualTo(new RunEventEmitter.Destination.File(out.resolve(".openlineage.jsonl")));
        assertThat(OpenLineageSettings.from(Map.of("attest.openlineage.transport", "none")::get).destination(out))
                .isInstanceOf(RunEventEmitter.Destination.Disabled.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenLineageSettings.from(Map.of("attest.openlineage.transport", "http")::get))
                .hasMessageContaining("attest.openlineage.url is not set");
    }

    @Test
    void theSchemaRejectsAnEventWithoutRunId() {
        String broken = "{\"eventTime\":\"2026-03-01T10:00:00Z\",\"producer\":\"urn:x\",\"run\":{},\"job\":{\"namespace\":\"a\",\"name\":\"b\"}}";
        assertThat(OpenLineageSchema.violations(broken)).isNotEmpty();
        String badUuid = "{\"eventTime\":\"2026-03-01T10:00:00Z\",\"producer\":\"urn:x\",\"run\":{\"runId\":\"nope\"},\"job\":{\"namespace\":\"a\",\"name\":\"b\"}}";
        assertThat(OpenLineageSchema.violations(badUuid)).as("format assertions are on").isNotEmpty();
        String noSchemaUrl = "{\"eventTime\":\"2026-03-01T10:00:00Z\",\"producer\":\"urn:x\",\"run\":{\"runId\":\"" + UUID.randomUUID()
                + "\"},\"job\":{\"namespace\":\"a\",\"name\":\"b\"}}";
        assertThat(OpenLineageSchema.violations(noSchemaUrl)).as("spec 2-1-0 requires schemaURL").isNotEmpty();
    }
}
