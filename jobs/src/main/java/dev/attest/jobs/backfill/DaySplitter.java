package dev.attest.jobs.backfill;

import java.util.Set;
import org.springframework.batch.core.job.JobExecutionException;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.partition.support.SimpleStepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Splits the apply step into day partitions. The days come from the export of the job execution being
 * split (its workspace follows from its parameters), so the partitioner is made per split. Spring Batch's
 * splitter does the rest: on a restart it reuses the earlier partitions and leaves out those COMPLETED.
 */
final class DaySplitter implements StepExecutionSplitter {
    private final JobRepository jobRepository;
    private final String stepName;

    DaySplitter(JobRepository jobRepository, String stepName) {
        this.jobRepository = jobRepository;
        this.stepName = stepName;
    }

    @Override
    public String getStepName() {
        return stepName;
    }

    @Override
    public Set<StepExecution> split(StepExecution stepExecution, int gridSize) throws JobExecutionException {
        BackfillStepSupport s = BackfillStepSupport.of(stepExecution);
        return new SimpleStepExecutionSplitter(jobRepository, stepName, new DayPartitioner(BackfillLayout.exportDir(s.workspace())))
                .split(stepExecution, gridSize);
    }
}
