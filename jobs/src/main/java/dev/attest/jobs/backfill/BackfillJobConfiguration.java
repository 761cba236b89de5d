package dev.attest.jobs.backfill;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.partition.support.TaskExecutorPartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * Two jobs. {@code backfill-preview}: stage -> rate -> impact. {@code backfill-apply}: the same, then
 * {@code apply} (one worker step per day, two at a time, each restartable on its own) -> {@code commit}.
 * Both are identified by the preview id, so an apply of the same inputs is one job instance: completed, it
 * is not run again; failed, it restarts from its failed step (and, in {@code apply}, only the failed days).
 */
@Configuration(proxyBeanMethods = false)
public class BackfillJobConfiguration {
    public static final String PREVIEW_JOB = "backfill-preview";
    public static final String APPLY_JOB = "backfill-apply";

    /**
     * The folder an execution of a backfill job wrote: the correction dataset of an apply, else the preview; null when
     * its parameters do not say (for the run history).
     */
    public static String folderOf(org.springframework.batch.core.job.JobExecution e) {
        var ctx = e.getExecutionContext();
        if (ctx.containsKey(CommitTasklet.DATASET_DIR)) return ctx.getString(CommitTasklet.DATASET_DIR);
        var p = e.getJobParameters();
        String out = p.getString("out"), id = p.getString(BackfillParameters.PREVIEW_ID);
        return out == null || id == null ? null : new BackfillLayout(java.nio.file.Path.of(out), id).previewDir().toString();
    }
    /** The partitions run two at a time: the machine's two cores. */
    static final int WORKER_THREADS = 2;

    @Bean
    Job backfillPreviewJob(JobRepository jobRepository) {
        var tx = new ResourcelessTransactionManager();
        return new JobBuilder(PREVIEW_JOB, jobRepository)
                .start(new StepBuilder("backfill-stage", jobRepository).tasklet(new StageRateTasklets.Stage(), tx).build())
                .next(new StepBuilder("backfill-rate", jobRepository).tasklet(new StageRateTasklets.Rate(), tx).build())
                .next(new StepBuilder("backfill-impact", jobRepository).tasklet(new ImpactTasklet(), tx).build())
                .build();
    }

    @Bean
    Job backfillApplyJob(JobRepository jobRepository) {
        var tx = new ResourcelessTransactionManager();
        Step worker = new StepBuilder("backfill-apply-day", jobRepository).tasklet(new ApplyDayTasklet(), tx).build();
        SimpleAsyncTaskExecutor threads = new SimpleAsyncTaskExecutor("attest-backfill-");
        threads.setConcurrencyLimit(WORKER_THREADS);
        TaskExecutorPartitionHandler handler = new TaskExecutorPartitionHandler();
        handler.setStep(worker);
        handler.setTaskExecutor(threads);
        handler.setGridSize(WORKER_THREADS);
        Step apply = new StepBuilder("backfill-apply", jobRepository)
                .partitioner(worker)
                .splitter(new DaySplitter(jobRepository, worker.getName()))
                .partitionHandler(handler)
                .build();
        return new JobBuilder(APPLY_JOB, jobRepository)
                .start(new StepBuilder("backfill-stage", jobRepository).tasklet(new StageRateTasklets.Stage(), tx).build())
                .next(new StepBuilder("backfill-rate", jobRepository).tasklet(new StageRateTasklets.Rate(), tx).build())
                .next(new StepBuilder("backfill-impact", jobRepository).tasklet(new ImpactTasklet(), tx).build())
                .next(apply)
                .next(new StepBuilder("backfill-commit", jobRepository).tasklet(new CommitTasklet(), tx).build())
                .build();
    }

    @Bean
    BackfillLauncher backfillLauncher(org.springframework.batch.core.launch.JobOperator jobOperator, JobRepository jobRepository,
                                      Job backfillPreviewJob, Job backfillApplyJob) {
        return new BackfillLauncher(jobOperator, jobRepository, backfillPreviewJob, backfillApplyJob);
    }
}
