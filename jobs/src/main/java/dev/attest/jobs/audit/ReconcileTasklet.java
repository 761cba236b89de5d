package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.io.audit.ReconcilePass;
import dev.attest.io.duck.Duck;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/** Step 3: findings across the data set (orphans, unlinked, conflicting events), the final findings, lineage gaps. */
final class ReconcileTasklet implements Tasklet {
    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        AuditStepSupport s = AuditStepSupport.of(contribution);
        PolicyRegistry registry = s.registry();
        try (Duck duck = s.openDuck(); BufferAllocator allocator = new RootAllocator()) {
            ReconcilePass pass = new ReconcilePass((DuckDBConnection) duck.connection(), allocator, s.reconciler(registry), s.window());
            long links = pass.linkFindings("findings_link");
            pass.finalizeFindings(s.runId(), "findings_rate", "findings_link");
            pass.lineage();
            contribution.incrementWriteCount(links);
        }
        return RepeatStatus.FINISHED;
    }
}
