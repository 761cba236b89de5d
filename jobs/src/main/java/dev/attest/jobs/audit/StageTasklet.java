package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.duck.Duck;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 1: load and validate the policy registry and the customers' cycles; read and validate every input into the workspace. */
final class StageTasklet implements Tasklet {
    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        long t0 = System.nanoTime();
        AuditStepSupport s = AuditStepSupport.of(contribution);
        PolicyRegistry registry = s.registry(); // fails fast, before any data work, on a bad policy file
        dev.attest.io.input.ScanBounds bounds = s.window().scanBounds(); // a bad customers row fails here, before any data work
        long t1 = System.nanoTime(), t2;
        try (Duck duck = s.openDuck()) {
            t2 = System.nanoTime();
            Staging.stage(duck, s.request().events(), s.request().decisions(), s.request().assumeZone(), bounds, registry,
                    s.workspace().stagingReport(), contribution);
        }
        if (Boolean.getBoolean("attest.trace"))
            System.err.printf("TRACE stage step: registry %d ms, open %d ms, staging and close %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        return RepeatStatus.FINISHED;
    }
}
