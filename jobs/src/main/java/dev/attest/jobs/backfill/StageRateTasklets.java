package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.RatePass;
import dev.attest.io.duck.Duck;
import dev.attest.jobs.audit.Progress;
import dev.attest.jobs.audit.Staging;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** The audit's staging and rating passes, run for a backfill's window (whole billing periods are rated). */
final class StageRateTasklets {
    static final int BATCH_ROWS = 65_536;

    private StageRateTasklets() {}

    /** Step 1: read and validate the inputs into the workspace (quarantining bad rows), and the policy registry. */
    static final class Stage implements Tasklet {
        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
            BackfillStepSupport s = BackfillStepSupport.of(contribution.getStepExecution());
            PolicyRegistry registry = s.registry();
            // A bad customers row stops the backfill here, before any data work.
            dev.attest.io.input.ScanBounds bounds = s.request().window().scanBounds();
            try (Duck duck = s.openDuck()) {
                Staging.stage(duck, s.request().events(), s.request().decisions(), s.request().assumeZone(), bounds, registry,
                        s.workspace().stagingReport(), contribution);
            }
            return RepeatStatus.FINISHED;
        }
    }

    /** Step 2: both knowledge views of every event in the window, and the per-event findings of the books as they are. */
    static final class Rate implements Tasklet {
        @Override
        public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
            BackfillStepSupport s = BackfillStepSupport.of(contribution.getStepExecution());
            PolicyRegistry registry = s.registry();
            try (Duck duck = s.openStaged(); BufferAllocator allocator = new RootAllocator()) {
                RatePass.Result r = new RatePass((DuckDBConnection) duck.connection(), allocator, registry, s.reconciler(registry),
                        s.request().window(), BATCH_ROWS).run("expected", "findings_rate", new Progress("rating", System.err));
                contribution.getStepExecution().setReadCount(r.eventsRated());
                contribution.incrementWriteCount(r.eventsInWindow());
            }
            return RepeatStatus.FINISHED;
        }
    }
}
