package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.RatePass;
import dev.attest.engine.state.StateStore;
import dev.attest.io.duck.Duck;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 2: re-rate every event of the window's billing periods and check each event's own decisions. */
final class RateTasklet implements Tasklet {
    static final int BATCH_ROWS = 65_536;

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        long t0 = System.nanoTime();
        AuditStepSupport s = AuditStepSupport.of(contribution);
        PolicyRegistry registry = s.registry();
        long t1 = System.nanoTime(), t2, t3;
        try (Duck duck = s.openStaged(); BufferAllocator allocator = new RootAllocator()) {
            t2 = System.nanoTime();
            dev.attest.engine.audit.AuditWindow window = s.window();
            boolean fromState = window.carried();
            if (fromState)
                StateStore.load(duck, s.request().outDir(), StateStore.find(s.request().outDir(), s.request().carriedState()), CarriedStates.IN);
            String statesIn = fromState ? CarriedStates.IN : null, statesOut = s.request().to() != null ? CarriedStates.OUT : null;
            java.nio.file.Files.createDirectories(s.expectedParquet().getParent());
            AuditEngine engine = AuditEngine.installed(); // issue 19: Spark rates into the same tables when installed
            RatePass.Result r = engine != null
                    ? engine.rate(new AuditEngine.RateStep(duck, s.request(), registry, s.reconcilerParams(), window, s.workspace().dir(),
                            s.expectedParquet(), statesIn, statesOut))
                    : new RatePass((DuckDBConnection) duck.connection(), allocator, registry, s.reconciler(registry), window, BATCH_ROWS)
                            .withStates(statesIn, statesOut)
                            .spillingInto(s.workspace().dir())
                            .run("expected", s.expectedParquet(), "findings_rate", new Progress("rating", System.err));
            contribution.getStepExecution().setReadCount(r.eventsRated());
            contribution.incrementWriteCount(r.eventsInWindow());
            t3 = System.nanoTime();
        }
        if (Boolean.getBoolean("attest.trace"))
            System.err.printf("TRACE rate step: registry %d ms, open %d ms, pass %d ms, close %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
        return RepeatStatus.FINISHED;
    }
}
