package dev.attest.jobs.backfill;

import dev.attest.io.duck.Duck;
import dev.attest.io.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Last step of an apply: add up the day parts, verify the corrected books, and publish the dataset by one
 * rename. With nothing to correct, nothing is published. Rerunning it after a crash finds either the dataset
 * complete (done) or the temporary folder, whose day files are complete (each was renamed into it).
 */
final class CommitTasklet implements Tasklet {
    static final String DATASET_DIR = "dataset_dir";
    static final String DECISIONS = "corrected_decisions";
    static final String LINES = "adjustment_lines";

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        BackfillStepSupport s = BackfillStepSupport.of(contribution.getStepExecution());
        ExecutionContext ctx = contribution.getStepExecution().getJobExecution().getExecutionContext();
        Path target = s.layout().datasetDir();
        Path partial = s.layout().datasetPartial();
        if (Files.exists(target.resolve("manifest.json"))) { // renamed before a crash: already complete
            ctx.putString(DATASET_DIR, target.toString());
            return RepeatStatus.FINISHED;
        }
        try (Duck duck = s.openStaged()) {
            if (duck.queryLong("SELECT count(*) FROM " + ImpactTasklet.PREFIX + "_events WHERE in_scope") == 0) {
                Folders.deleteTree(partial);
                ctx.putLong(DECISIONS, 0);
                ctx.putLong(LINES, 0);
                return RepeatStatus.FINISHED;
            }
            CorrectionWriter.Written w = new CorrectionWriter(duck, s, s.registry()).write(partial);
            ctx.putLong(DECISIONS, w.decisions());
            ctx.putLong(LINES, w.lines());
        }
        Files.createDirectories(target.getParent());
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        ctx.putString(DATASET_DIR, target.toString());
        return RepeatStatus.FINISHED;
    }
}
