package dev.attest.jobs.backfill;

import dev.attest.core.policy.PolicyRegistry;
import dev.attest.engine.backfill.ImpactPass;
import dev.attest.io.duck.Duck;
import dev.attest.io.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step 3: compare the books with the as-corrected view; write the preview folder (unless an earlier run
 * wrote it: same id, same content). In an apply, also export the work of the day partitions.
 */
final class ImpactTasklet implements Tasklet {
    static final String PREFIX = "bf";

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        BackfillStepSupport s = BackfillStepSupport.of(contribution.getStepExecution());
        PolicyRegistry registry = s.registry();
        try (Duck duck = s.openStaged()) {
            ImpactPass impact = new ImpactPass(duck);
            impact.build(PREFIX, "decisions", "expected", s.request().scope());
            ImpactPass.Counts counts = impact.counts(PREFIX);
            contribution.incrementWriteCount(counts.inScope());
            BackfillLayout layout = s.layout();
            if (!Files.exists(layout.previewDir().resolve("summary.json"))) {
                Path partial = layout.previewPartial();
                Folders.deleteTree(partial);
                Files.createDirectories(partial);
                new PreviewWriter(duck, s.request(), s.previewId(), registry).write(partial, counts);
                Files.move(partial, layout.previewDir(), StandardCopyOption.ATOMIC_MOVE);
            }
            if (s.apply()) {
                // A new apply (or one restarted before its day partitions began) starts from nothing.
                Folders.deleteTree(layout.datasetPartial());
                Folders.deleteTree(BackfillLayout.partsDir(s.workspace()));
                Path export = BackfillLayout.exportDir(s.workspace());
                Folders.deleteTree(export);
                Files.createDirectories(export);
                impact.exportForApply(PREFIX, export, s.previewId(), s.request().asOf());
            }
        }
        return RepeatStatus.FINISHED;
    }
}
