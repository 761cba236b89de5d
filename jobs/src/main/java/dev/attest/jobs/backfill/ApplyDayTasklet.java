package dev.attest.jobs.backfill;

import dev.attest.engine.backfill.DayApply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * A worker of the apply step: one day's corrected decisions into the dataset being written, and its partial
 * adjustment lines into the workspace.
 */
final class ApplyDayTasklet implements Tasklet {
    /**
     * Test hook, not a mock: with this system property set to a day, that day's partition fails once, after
     * writing its files under their temporary names and before renaming them (as a crash there would).
     */
    static final String FAIL_ONCE_PROPERTY = "attest.backfill.failOnceOnDay";
    /** Test hook: that day's partition stops for a minute at the same point, so a test can kill the process there. */
    static final String PAUSE_PROPERTY = "attest.backfill.pauseOnDay";

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        BackfillStepSupport s = BackfillStepSupport.of(contribution.getStepExecution());
        String day = contribution.getStepExecution().getExecutionContext().getString(DayPartitioner.DAY);
        Path decisions = s.layout().datasetPartial().resolve("corrected_decisions").resolve("day=" + day).resolve("decisions.parquet");
        Path part = BackfillLayout.partsDir(s.workspace()).resolve("adjustments-" + day + ".parquet");
        DayApply.Written w = DayApply.write(BackfillLayout.exportDir(s.workspace()), day, decisions, part, () -> failOnce(s, day));
        contribution.incrementWriteCount(w.decisions());
        return RepeatStatus.FINISHED;
    }

    private static void failOnce(BackfillStepSupport s, String day) {
        if (day.equals(System.getProperty(PAUSE_PROPERTY))) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (!day.equals(System.getProperty(FAIL_ONCE_PROPERTY))) return;
        Path marker = s.workspace().dir().resolve("failed-once-" + day);
        if (Files.exists(marker)) return;
        try {
            Files.createFile(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("injected failure in the partition of " + day + " (" + FAIL_ONCE_PROPERTY + ")");
    }
}
