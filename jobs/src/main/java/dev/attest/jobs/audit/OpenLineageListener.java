package dev.attest.jobs.audit;

import dev.attest.io.input.InputSource;
import dev.attest.lineage.openlineage.OpenLineageSettings;
import dev.attest.lineage.openlineage.RunEventEmitter;
import dev.attest.lineage.openlineage.RunEventEmitter.Dataset;
import dev.attest.reports.Json;
import io.openlineage.client.utils.UUIDUtils;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import tools.jackson.databind.JsonNode;

/**
 * Sends an OpenLineage START when an audit job execution begins and COMPLETE or FAIL when it ends (a restart
 * is a new run). The audit's result never depends on the lineage backend: an event that cannot be sent is
 * reported on standard error, and the audit goes on.
 */
final class OpenLineageListener implements JobExecutionListener {
    static final String RUN_ID = "openlineage_run_id";
    static final List<String> OUTPUTS = List.of("findings.parquet", "expected.parquet", "lineage_gaps.parquet", "lineage_coverage.parquet",
            "quarantine.parquet", "summary.json", "report.html", "manifest.json");

    private final OpenLineageSettings settings;
    private final Clock clock;

    OpenLineageListener(OpenLineageSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public void beforeJob(JobExecution execution) {
        UUID id = UUIDUtils.generateNewUUID(clock.instant());
        execution.getExecutionContext().putString(RUN_ID, id.toString());
        AuditRequest r = AuditParameters.request(execution.getJobParameters());
        Path runDir = r.outDir().resolve(AuditParameters.runId(execution.getJobParameters()));
        List<Dataset> outputs = new ArrayList<>();
        for (String f : OUTPUTS) outputs.add(new Dataset("file", runDir.resolve(f).toString(), null, null));
        send(r, "START", e -> e.start(facts(id, execution, r, outputs, null), clock.instant()));
    }

    @Override
    public void afterJob(JobExecution execution) {
        UUID id = UUID.fromString(execution.getExecutionContext().getString(RUN_ID));
        AuditRequest r = AuditParameters.request(execution.getJobParameters());
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            Path runDir = Path.of(execution.getExecutionContext().getString(WriteTasklet.RUN_DIR));
            JsonNode summary;
            try {
                summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + runDir.resolve("summary.json"), e);
            }
            List<Dataset> outputs = new ArrayList<>();
            try (Stream<Path> files = Files.list(runDir)) {
                for (Path f : files.sorted().toList()) outputs.add(new Dataset("file", f.toString(), rows(f, summary), Files.size(f)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot list " + runDir, e);
            }
            send(r, "COMPLETE", e -> e.complete(facts(id, execution, r, outputs, summary), clock.instant()));
        } else {
            String step = null;
            for (StepExecution s : execution.getStepExecutions()) if (s.getStatus() == BatchStatus.FAILED) step = s.getStepName();
            List<Throwable> failures = execution.getAllFailureExceptions();
            String message = (step == null ? "" : "step " + step + ": ")
                    + (failures.isEmpty() ? "job ended " + execution.getStatus() : String.valueOf(failures.get(0).getMessage()));
            String trace = null;
            if (!failures.isEmpty()) {
                StringWriter w = new StringWriter();
                failures.get(0).printStackTrace(new PrintWriter(w));
                trace = w.toString();
            }
            String stackTrace = trace;
            send(r, "FAIL", e -> e.fail(facts(id, execution, r, List.of(), null), clock.instant(), message, stackTrace));
        }
    }

    private interface Emission {
        void to(RunEventEmitter emitter);
    }

    private void send(AuditRequest r, String type, Emission emission) {
        RunEventEmitter emitter = new RunEventEmitter(settings.destination(r.outDir()));
        try {
            emission.to(emitter);
        } catch (RuntimeException e) {
            // The audit's outcome does not depend on the lineage backend; the user is told, not a log file.
            System.err.println("attest: warning: the OpenLineage " + type + " event was not sent to " + emitter.destination() + ": " + e.getMessage());
        }
    }

    private static Long rows(Path f, JsonNode summary) {
        String name = f.getFileName().toString();
        if (name.equals("findings.parquet")) {
            long n = 0;
            for (JsonNode c : summary.get("findings")) n += c.asLong();
            return n;
        }
        if (name.equals("expected.parquet")) return summary.get("inputs").get("events_in_window").asLong();
        if (name.equals("quarantine.parquet")) return summary.get("inputs").get("quarantined").asLong();
        return null;
    }

    private static RunEventEmitter.RunFacts facts(UUID id, JobExecution execution, AuditRequest r, List<Dataset> outputs, JsonNode summary) {
        JsonNode in = summary == null ? null : summary.get("inputs");
        List<Dataset> inputs = List.of(dataset("events", r.events(), in == null ? null : in.get("events").asLong()),
                dataset("decisions", r.decisions(), in == null ? null : in.get("decisions").asLong()),
                new Dataset("file", r.policies(), in == null ? null : in.get("policy_versions").asLong(), null));
        Map<String, Long> findings = summary == null ? null : counts(summary.get("findings"));
        Map<String, Long> severities = summary == null ? null : counts(summary.get("severities"));
        BigDecimal coverage = summary == null ? null : summary.get("coverage").decimalValue();
        Integer exit = summary == null ? null : summary.get("exit_status").asInt();
        return new RunEventEmitter.RunFacts(id, AuditJobConfiguration.JOB_NAME, AuditParameters.runId(execution.getJobParameters()), inputs, outputs,
                findings, severities, coverage, exit, summary == null ? null : money(summary.get("money")));
    }

    /** summary.json's money: currency -> class -> amount (exact decimals, as written). */
    private static Map<String, Map<String, BigDecimal>> money(JsonNode node) {
        Map<String, Map<String, BigDecimal>> out = new LinkedHashMap<>();
        if (node == null || !node.isObject()) return out;
        node.properties().forEach(cur -> {
            Map<String, BigDecimal> byClass = new LinkedHashMap<>();
            cur.getValue().properties().forEach(c -> byClass.put(c.getKey(), new BigDecimal(c.getValue().asString())));
            out.put(cur.getKey(), byClass);
        });
        return out;
    }

    private static Map<String, Long> counts(JsonNode node) {
        Map<String, Long> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    /** Files: namespace file, name the path as given; SQL: namespace duckdb, name the query's digest. */
    private static Dataset dataset(String name, InputSource s, Long rows) {
        if (s instanceof InputSource.Files f) return new Dataset("file", f.path(), rows, null);
        return new Dataset("duckdb", name + "-sql-" + AuditIdentity.sha256(((InputSource.Sql) s).query()).substring(0, 12), rows, null);
    }
}
