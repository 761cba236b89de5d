package dev.attest.jobs.audit;

import dev.attest.engine.state.StateStore;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.StagingReport;
import dev.attest.jobs.lifecycle.LifecycleStore;
import dev.attest.jobs.lifecycle.RunLifecycle;
import dev.attest.reports.Json;
import dev.attest.reports.LifecycleTotals;
import dev.attest.reports.RunSummary;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 4: the run folder, complete or not at all; its path and exit status go into the job's context. */
final class WriteTasklet implements Tasklet {
    static final String RUN_DIR = "run_dir";
    static final String EXIT_STATUS = "exit_status";
    static final String FINDINGS = "findings";

    private final Clock clock;
    private final LifecycleStore lifecycle;

    WriteTasklet(Clock clock, LifecycleStore lifecycle) {
        this.clock = clock;
        this.lifecycle = lifecycle;
    }

    /** Keeps the periods' state at the window's end for the audit of the next window (see {@link CarriedStates}). */
    private static void writeState(AuditStepSupport s, Duck duck, StagingReport staging) throws java.io.IOException {
        AuditRequest r = s.request();
        if (r.to() == null || duck.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_name = " + Duck.literal(CarriedStates.OUT)) == 0)
            return;
        if (!(r.events() instanceof dev.attest.io.input.InputSource.Files) || !(r.decisions() instanceof dev.attest.io.input.InputSource.Files))
            return;
        java.util.Map<String, Object> carried = CarriedStates.read(s.workspace());
        StateStore.Meta parent = r.carriedState() != null && CarriedStates.used(s.workspace()) ? StateStore.find(r.outDir(), r.carriedState()) : null;
        StateStore.Meta written = StateStore.write(duck, CarriedStates.OUT, r.outDir(), new StateStore.Meta(null, r.to(), r.asOf(),
                s.registry().digest(), StateStore.customersDigest(r.customers()), AuditRequest.describe(r.events()),
                AuditRequest.describe(r.decisions()), s.runId(), 0, CarriedStates.pins(staging, parent)));
        java.util.Map<String, Object> m = carried == null ? new java.util.LinkedHashMap<>() : new java.util.LinkedHashMap<>(carried);
        m.put("written", written.id());
        m.put("written_partitions", written.partitions());
        dev.attest.reports.Json.write(s.workspace().dir().resolve(CarriedStates.FILE), m);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        AuditStepSupport s = AuditStepSupport.of(contribution);
        var jobExecution = contribution.getStepExecution().getJobExecution();
        Instant started = jobExecution.getCreateTime() == null ? clock.instant()
                : jobExecution.getCreateTime().atZone(java.time.ZoneId.systemDefault()).toInstant();
        StagingReport staging = Json.MAPPER.readValue(Files.readString(s.workspace().stagingReport()), StagingReport.class);
        RunSummary summary;
        try (Duck duck = s.openStaged()) {
            writeState(s, duck, staging);
            RunFolderWriter writer = new RunFolderWriter(duck, s.request(), s.runId(), staging, s.registry(), clock, started, lifecycle, s.context())
                    .withWorkspace(s.workspace());
            summary = writer.write();
            RunLifecycle l = writer.lifecycleOfRun();
            if (l != null) {
                LifecycleTotals t = l.totals();
                System.err.printf("attest: findings across runs: %d new, %d open, %d acknowledged, %d accepted, %d acceptance expired"
                        + "%s%n", t.fresh(), t.open(), t.acknowledged(), t.accepted(), t.acceptanceExpired(), t.suppressedFromExit() == 0 ? ""
                        : "; " + t.suppressedFromExit() + " at or above " + s.request().failOn().wire() + " accepted as risk, not counted in the exit status");
                dev.attest.reports.SincePrevious since = l.since();
                if (since != null && since.previousRunId() != null)
                    System.err.printf("attest: since the previous run of this scope (%s): %d new, %d resolved, %d still open%n", since.previousRunId(),
                            since.fresh(), since.resolvedCount(), since.stillOpen());
            }
        }
        ExecutionContext ctx = jobExecution.getExecutionContext();
        var carried = CarriedStates.read(s.workspace());
        if (carried != null && carried.get("written") != null)
            System.err.println("attest: the periods' state at " + s.request().to() + " is kept for the next window: " + carried.get("written"));
        ctx.putString(RUN_DIR, s.request().outDir().resolve(s.runId()).toString());
        ctx.putInt(EXIT_STATUS, summary.exitStatus());
        ctx.putLong(FINDINGS, summary.findings().values().stream().mapToLong(Long::longValue).sum());
        return RepeatStatus.FINISHED;
    }
}
