package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.state.StateStore;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.ScanBounds;
import dev.attest.io.input.StagingReport;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 1: load and validate the policy registry and the customers' cycles; read and validate every input into the workspace. */
final class StageTasklet implements Tasklet {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StageTasklet.class);

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        long t0 = System.nanoTime();
        AuditStepSupport s = AuditStepSupport.of(contribution);
        PolicyRegistry registry = s.registry(); // fails fast, before any data work, on a bad policy file
        AuditWindow window = s.fullWindow(); // a bad customers row fails here, before any data work
        String stateId = s.request().carriedState();
        StateStore.Meta state = stateId == null ? null : StateStore.find(s.request().outDir(), stateId);
        long t1 = System.nanoTime(), t2;
        try (Duck duck = s.openDuck()) {
            t2 = System.nanoTime();
            ScanBounds bounds = state != null ? window.carriedFromState().scanBounds() : window.scanBounds();
            StagingReport report = Staging.stage(duck, s.request().events(), s.request().decisions(), s.request().assumeZone(), bounds,
                    registry, s.workspace().stagingReport(), contribution);
            if (state != null) {
                String late = CarriedStates.lateRows(duck, state, s.request().from(), report);
                if (late != null) {
                    // The periods' earlier part changed since the state: read and rate them from their starts after all.
                    log.warn("carried state {} is not used: {}; rating the window's periods from their starts", stateId, late);
                    Staging.stage(duck, s.request().events(), s.request().decisions(), s.request().assumeZone(), window.scanBounds(),
                            registry, s.workspace().stagingReport(), contribution);
                }
                CarriedStates.record(s.workspace(), stateId, late == null, late);
            }
        }
        if (Boolean.getBoolean("attest.trace"))
            System.err.printf("TRACE stage step: registry %d ms, open %d ms, staging and close %d ms%n", (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        return RepeatStatus.FINISHED;
    }
}
