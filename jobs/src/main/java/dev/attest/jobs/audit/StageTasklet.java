package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.audit.PolicyTable;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputStager;
import dev.attest.io.input.StagingReport;
import dev.attest.reports.Json;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 1: read and validate every input into the workspace; load and validate the policy registry. */
final class StageTasklet implements Tasklet {
    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        long t0 = System.nanoTime();
        AuditStepSupport s = AuditStepSupport.of(contribution);
        PolicyRegistry registry = s.registry(); // fails fast, before any data work, on a bad policy file
        long t1 = System.nanoTime(), t2, t3;
        try (Duck duck = s.openDuck(); BufferAllocator allocator = new RootAllocator()) {
            t2 = System.nanoTime();
            StagingReport report = new InputStager(duck).stage(s.request().events(), s.request().decisions(), s.request().assumeZone());
            t3 = System.nanoTime();
            PolicyTable.write((DuckDBConnection) duck.connection(), allocator, registry);
            Json.write(s.workspace().stagingReport(), report);
            contribution.getStepExecution().setReadCount(report.events().rowsRead() + report.decisions().rowsRead());
            contribution.incrementFilterCount(report.quarantinedRows());
        }
        if (Boolean.getBoolean("attest.trace"))
            System.err.printf("TRACE stage step: registry %d ms, open %d ms, stage %d ms, rest %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
        return RepeatStatus.FINISHED;
    }
}
