package dev.attest.lineage.openlineage;

import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineageClient;
import io.openlineage.client.transports.ApiKeyTokenProvider;
import io.openlineage.client.transports.FileConfig;
import io.openlineage.client.transports.FileTransport;
import io.openlineage.client.transports.HttpConfig;
import io.openlineage.client.transports.HttpTransport;
import io.openlineage.client.transports.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Emits OpenLineage run events for Attest job runs through the openlineage-java client: START when a run
 * begins, COMPLETE or FAIL when it ends, with the input datasets (events, decisions, policies), the output
 * datasets (the run folder's files) and the audit's data quality: finding counts per code and severity in
 * the run facet {@code attest_findings}, and one data-quality assertion per finding code ("no FINDING_CODE
 * findings") on the decisions dataset.
 */
public final class RunEventEmitter {
    public static final URI PRODUCER = URI.create("urn:dev.attest:attest:0.1.0");
    public static final String JOB_NAMESPACE = "attest";

    /** Where events go. */
    public sealed interface Destination {
        /** One JSON event per line, appended to the file. */
        record File(Path path) implements Destination {}

        /** POSTed to an OpenLineage HTTP endpoint (e.g. Marquez at http://host:5000, endpoint /api/v1/lineage). */
        record Http(URI url, String endpoint, String apiKey) implements Destination {}

        /** Nothing is sent. */
        record Disabled() implements Destination {}
    }

    /** A dataset by OpenLineage naming: local files are namespace {@code file}, name the absolute path. */
    public record Dataset(String namespace, String name, Long rows, Long bytes) {
        public Dataset {
            if (namespace == null || name == null) throw new IllegalArgumentException("a dataset needs a namespace and a name");
        }
    }

    /** What is known of a run when an event is sent; counts are null before the run ended. */
    public record RunFacts(UUID runId, String jobName, String attestRunId, List<Dataset> inputs, List<Dataset> outputs,
                           Map<String, Long> findings, Map<String, Long> severities, BigDecimal coverage, Integer exitStatus,
                           Map<String, Map<String, BigDecimal>> money) {
        public RunFacts {
            if (runId == null || jobName == null) throw new IllegalArgumentException("run id and job name are required");
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }

        /** Without money by class. */
        public RunFacts(UUID runId, String jobName, String attestRunId, List<Dataset> inputs, List<Dataset> outputs,
                        Map<String, Long> findings, Map<String, Long> severities, BigDecimal coverage, Integer exitStatus) {
            this(runId, jobName, attestRunId, inputs, outputs, findings, severities, coverage, exitStatus, null);
        }
    }

    private final Destination destination;
    private final OpenLineage ol = new OpenLineage(PRODUCER);

    public RunEventEmitter(Destination destination) {
        this.destination = destination;
    }

    public Destination destination() {
        return destination;
    }

    public void start(RunFacts facts, Instant at) {
        emit(event(OpenLineage.RunEvent.EventType.START, facts, at, null, null));
    }

    public void complete(RunFacts facts, Instant at) {
        emit(event(OpenLineage.RunEvent.EventType.COMPLETE, facts, at, null, null));
    }

    public void fail(RunFacts facts, Instant at, String message, String stackTrace) {
        emit(event(OpenLineage.RunEvent.EventType.FAIL, facts, at, message == null ? "the run failed" : message, stackTrace));
    }

    OpenLineage.RunEvent event(OpenLineage.RunEvent.EventType type, RunFacts f, Instant at, String error, String stackTrace) {
        OpenLineage.RunFacetsBuilder runFacets = ol.newRunFacetsBuilder()
                .processing_engine(ol.newProcessingEngineRunFacet("0.1.0", "attest", "0.1.0"));
        OpenLineage.RunFacet attest = ol.newRunFacet();
        attest.getAdditionalProperties().put("run_id", f.attestRunId());
        if (f.findings() != null) attest.getAdditionalProperties().put("findings", f.findings());
        if (f.severities() != null) attest.getAdditionalProperties().put("severities", f.severities());
        if (f.coverage() != null) attest.getAdditionalProperties().put("lineage_coverage", f.coverage());
        if (f.exitStatus() != null) attest.getAdditionalProperties().put("exit_status", f.exitStatus());
        // Money by class per currency (issue 14), as summary.json has it: currency -> class -> amount.
        if (f.money() != null) attest.getAdditionalProperties().put("money", f.money());
        runFacets.put("attest_findings", attest);
        if (error != null) runFacets.errorMessage(ol.newErrorMessageRunFacet(error, "Java", stackTrace));

        List<OpenLineage.InputDataset> inputs = new ArrayList<>();
        for (Dataset d : f.inputs()) {
            OpenLineage.DatasetFacetsBuilder facets = ol.newDatasetFacetsBuilder();
            OpenLineage.InputDatasetInputFacetsBuilder inFacets = ol.newInputDatasetInputFacetsBuilder();
            if (f.findings() != null && d.name().equals(decisionsName(f))) inFacets.dataQualityAssertions(assertions(f.findings()));
            if (d.rows() != null || d.bytes() != null)
                inFacets.dataQualityMetrics(ol.newDataQualityMetricsInputDatasetFacetBuilder().rowCount(d.rows()).bytes(d.bytes()).build());
            inputs.add(ol.newInputDatasetBuilder().namespace(d.namespace()).name(d.name()).facets(facets.build()).inputFacets(inFacets.build()).build());
        }
        List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
        for (Dataset d : f.outputs()) {
            OpenLineage.OutputDatasetOutputFacetsBuilder outFacets = ol.newOutputDatasetOutputFacetsBuilder();
            if (d.rows() != null || d.bytes() != null)
                outFacets.outputStatistics(ol.newOutputStatisticsOutputDatasetFacet(d.rows(), d.bytes(), 1L));
            outputs.add(ol.newOutputDatasetBuilder().namespace(d.namespace()).name(d.name()).outputFacets(outFacets.build()).build());
        }
        OpenLineage.JobFacets jobFacets = ol.newJobFacetsBuilder()
                .jobType(ol.newJobTypeJobFacet("BATCH", "ATTEST", "JOB", null))
                .documentation(ol.newDocumentationJobFacet("Attest " + f.jobName()
                        + ": re-rates usage events against the policy versions that applied and reconciles them with live decisions", null))
                .build();
        return ol.newRunEventBuilder()
                .eventType(type)
                .eventTime(ZonedDateTime.ofInstant(at, ZoneOffset.UTC))
                .run(ol.newRun(f.runId(), runFacets.build()))
                .job(ol.newJob(JOB_NAMESPACE, f.jobName(), jobFacets))
                .inputs(inputs)
                .outputs(outputs)
                .build();
    }

    private static String decisionsName(RunFacts f) {
        return f.inputs().size() > 1 ? f.inputs().get(1).name() : null;
    }

    /** One assertion per finding code: "no CODE findings", successful when the audit found none. */
    private OpenLineage.DataQualityAssertionsDatasetFacet assertions(Map<String, Long> findings) {
        List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> list = new ArrayList<>();
        for (Map.Entry<String, Long> e : findings.entrySet())
            list.add(ol.newDataQualityAssertionsDatasetFacetAssertionsBuilder().assertion("no " + e.getKey() + " findings")
                    .success(e.getValue() == 0).build());
        return ol.newDataQualityAssertionsDatasetFacet(list);
    }

    private void emit(OpenLineage.RunEvent event) {
        Transport transport = transport();
        if (transport == null) return;
        // A meter registry of its own: the client's default one is global, and a second client in the same
        // process would warn on stderr that its gauge is already registered.
        try (OpenLineageClient client = new OpenLineageClient(transport, null, new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            client.emit(event);
        } catch (Exception e) {
            if (e instanceof RuntimeException r) throw r;
            throw new IllegalStateException("closing the OpenLineage client failed: " + e.getMessage(), e);
        }
    }

    private Transport transport() {
        if (destination instanceof Destination.File f) {
            try {
                if (f.path().getParent() != null) Files.createDirectories(f.path().getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the folder of " + f.path(), e);
            }
            return new FileTransport(new FileConfig(f.path().toAbsolutePath().toString()));
        }
        if (destination instanceof Destination.Http h) {
            HttpConfig config = new HttpConfig();
            config.setUrl(h.url());
            if (h.endpoint() != null) config.setEndpoint(h.endpoint());
            if (h.apiKey() != null) {
                ApiKeyTokenProvider token = new ApiKeyTokenProvider();
                token.setApiKey(h.apiKey());
                config.setAuth(token);
            }
            config.setTimeoutInMillis(10_000);
            return new HttpTransport(config);
        }
        return null;
    }
}
