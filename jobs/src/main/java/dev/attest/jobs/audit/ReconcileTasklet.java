package dev.attest.jobs.audit;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.audit.ReconcilePass;
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
        try (Duck duck = s.openStaged(); BufferAllocator allocator = new RootAllocator()) {
            ReconcilePass pass = new ReconcilePass((DuckDBConnection) duck.connection(), allocator, s.reconciler(registry), s.window());
            long t0 = System.nanoTime();
            pass.lineage(); // first: it scopes the decisions, which the link findings read
            long t1 = System.nanoTime();
            long links = pass.linkFindings("findings_link");
            long t2 = System.nanoTime();
            pass.finalizeFindings(s.runId(), "findings_rate", "findings_link");
            if (Boolean.getBoolean("attest.trace"))
                System.err.printf("TRACE reconcile step: lineage %d ms, links %d ms, findings %d ms%n", (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            contribution.incrementWriteCount(links);
        }
        return RepeatStatus.FINISHED;
    }
}
