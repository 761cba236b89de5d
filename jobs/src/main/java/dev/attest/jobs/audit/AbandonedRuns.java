package dev.attest.jobs.audit;

import java.nio.file.Files;
import java.time.LocalDateTime;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * A job execution the repository still calls running although its process died. The caller holds the job's
 * workspace lock, so no live process runs it: the record is stale. Marking it (and its running steps,
 * partition workers included) FAILED lets the same job instance restart from where it stopped.
 */
public final class AbandonedRuns {
    private AbandonedRuns() {}

    /**
     * Whether a restart of the instance cannot work: some step completed, so the restart would skip it and read its
     * tables from the work folder, but the work database is gone (the --out folder was removed or moved).
     */
    public static boolean workFolderLost(JobRepository jobRepository, JobInstance instance, AuditWorkspace workspace) {
        return workFolderLost(jobRepository, instance, workspace, null);
    }

    /**
     * As above, and also when the rating step completed but the expectations it wrote into the run folder being
     * assembled ({@code expectedParquet}, null: not checked) are gone while the write step has not completed.
     */
    public static boolean workFolderLost(JobRepository jobRepository, JobInstance instance, AuditWorkspace workspace,
                                         java.nio.file.Path expectedParquet) {
        boolean database = Files.exists(workspace.database());
        boolean expected = expectedParquet == null || Files.exists(expectedParquet);
        if (database && expected) return false;
        boolean anyCompleted = false, rated = false, written = false;
        for (JobExecution x : jobRepository.getJobExecutions(instance))
            for (StepExecution s : x.getStepExecutions()) {
                if (s.getStatus() != BatchStatus.COMPLETED) continue;
                anyCompleted = true;
                rated |= s.getStepName().equals("rate");
                written |= s.getStepName().equals("write");
            }
        return (!database && anyCompleted) || (!expected && rated && !written);
    }

    public static void markFailed(JobRepository jobRepository, JobExecution stale) {
        LocalDateTime now = LocalDateTime.now();
        for (StepExecution step : stale.getStepExecutions()) {
            if (step.getStatus().isRunning()) {
                step.setStatus(BatchStatus.FAILED);
                step.setExitStatus(ExitStatus.FAILED.addExitDescription("process died during the step"));
                step.setEndTime(now);
                jobRepository.update(step);
            }
        }
        stale.setStatus(BatchStatus.FAILED);
        stale.setExitStatus(ExitStatus.FAILED.addExitDescription("process died during the run"));
        stale.setEndTime(now);
        jobRepository.update(stale);
    }
}
