package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.attest.app.ScenarioIT.Run;
import dev.attest.reports.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every audit run sends OpenLineage run events through the file transport (the default: OUT/.openlineage.jsonl):
 * START and COMPLETE with inputs, outputs and finding counts for a run that completes; START and FAIL for a run
 * whose input breaks in the middle of the job. Each event validates against the OpenLineage spec
 * (the core specs in lineage/src/test/resources/openlineage/, see SOURCE.md there).
 */
class OpenLineageIT {
    static final Path SCENARIO = ScenarioIT.SCENARIOS.resolve("tiers-and-version-change").toAbsolutePath();
    static final List<Schema> SCHEMAS = List.of(schema("OpenLineage.json"), schema("OpenLineage-2-1-0.json"));

    static Schema schema(String name) {
        try (InputStream in = Files.newInputStream(Path.of("../lineage/src/test/resources/openlineage/" + name))) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<JsonNode> events(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        for (String l : lines)
            for (Schema s : SCHEMAS)
                assertThat(s.validate(l, InputFormat.JSON, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)))).as(l).isEmpty();
        return lines.stream().map(l -> Json.MAPPER.readTree(l)).toList();
    }

    @Test
    void aCompletedAuditSendsStartAndCompleteWithItsDatasetsAndFindingCounts(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("runs");
        Run run = Run.of("audit", "--events", SCENARIO.resolve("events.csv").toString(), "--decisions", SCENARIO.resolve("decisions.csv").toString(),
                "--policies", SCENARIO.resolve("policies").toString(), "--as-of", "2026-03-01T00:00:00Z", "--out", out.toString(),
                "--metadata", Metadata.h2(tmp.resolve("meta")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path runDir = Path.of(run.lastStdoutLine());

        List<JsonNode> events = events(out.resolve(".openlineage.jsonl"));
        assertThat(events).extracting(e -> e.get("eventType").asString()).containsExactly("START", "COMPLETE");
        assertThat(events.get(0).get("run").get("runId")).isEqualTo(events.get(1).get("run").get("runId"));
        JsonNode complete = events.get(1);
        assertThat(complete.get("job").get("namespace").asString() + "/" + complete.get("job").get("name").asString()).isEqualTo("attest/audit");
        assertThat(complete.get("inputs")).extracting(i -> i.get("namespace").asString() + ":" + i.get("name").asString()).containsExactly(
                "file:" + SCENARIO.resolve("events.csv"), "file:" + SCENARIO.resolve("decisions.csv"), "file:" + SCENARIO.resolve("policies"));
        assertThat(complete.get("inputs").get(0).get("inputFacets").get("dataQualityMetrics").get("rowCount").asLong()).isEqualTo(3);
        assertThat(complete.get("outputs")).extracting(o -> o.get("name").asString()).contains(runDir.resolve("findings.parquet").toString(),
                runDir.resolve("lineage_gaps.parquet").toString(), runDir.resolve("manifest.json").toString());

        JsonNode summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
        JsonNode facet = complete.get("run").get("facets").get("attest_findings");
        assertThat(facet.get("findings")).isEqualTo(summary.get("findings"));
        assertThat(facet.get("severities")).isEqualTo(summary.get("severities"));
        assertThat(facet.get("findings").get("AMOUNT_MISMATCH").asLong()).isEqualTo(1);
        // The money summary travels with the run: the same currencies and classes as summary.json, the same amounts.
        assertThat(facet.get("money").propertyNames()).containsExactlyElementsOf(summary.get("money").propertyNames());
        summary.get("money").properties().forEach(cur -> cur.getValue().properties().forEach(c -> assertThat(
                facet.get("money").get(cur.getKey()).get(c.getKey()).decimalValue()).as(cur.getKey() + "." + c.getKey())
                .isEqualByComparingTo(c.getValue().decimalValue())));
        assertThat(facet.get("run_id").asString()).isEqualTo(runDir.getFileName().toString());
        JsonNode assertions = complete.get("inputs").get(1).get("inputFacets").get("dataQualityAssertions").get("assertions");
        assertThat(assertions.findValuesAsString("assertion")).contains("no AMOUNT_MISMATCH findings", "no WRONG_VERSION findings");
    }

    @Test
    void aRunThatFailsSendsStartAndFail(@TempDir Path tmp) throws Exception {
        Path events = tmp.resolve("events.csv");
        Files.writeString(events, "event_id,customer_id,meter,event_time\ne1,acme,api_calls,2026-01-05T10:00:00Z\n"); // no quantity
        Path out = tmp.resolve("runs");
        Run run = Run.of("audit", "--events", events.toString(), "--decisions", SCENARIO.resolve("decisions.csv").toString(),
                "--policies", SCENARIO.resolve("policies").toString(), "--as-of", "2026-03-01T00:00:00Z", "--out", out.toString(),
                "--metadata", Metadata.h2(tmp.resolve("meta")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);

        List<JsonNode> sent = events(out.resolve(".openlineage.jsonl"));
        assertThat(sent).extracting(e -> e.get("eventType").asString()).containsExactly("START", "FAIL");
        assertThat(sent.get(0).get("run").get("runId")).isEqualTo(sent.get(1).get("run").get("runId"));
        String message = sent.get(1).get("run").get("facets").get("errorMessage").get("message").asString();
        assertThat(message).contains("step stage").contains("quantity");
    }
}
