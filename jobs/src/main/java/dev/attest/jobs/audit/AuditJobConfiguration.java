package dev.attest.jobs.audit;

import dev.attest.jobs.lifecycle.LifecycleStore;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The audit job: stage -> rate -> reconcile -> write. Thin: each step is a tasklet around io and core.
 * Tasklets run under a resourceless transaction manager: their work lives in DuckDB, and a long step must
 * not hold a transaction open on the metadata database.
 */
@Configuration(proxyBeanMethods = false)
public class AuditJobConfiguration {
    public static final String JOB_NAME = "audit";

    @Bean
    Clock attestClock() {
        return Clock.systemUTC();
    }

    @Bean
    LifecycleStore lifecycleStore(DataSource dataSource) {
        return new LifecycleStore(dataSource);
    }

    @Bean
    Job auditJob(JobRepository jobRepository, Clock clock, LifecycleStore lifecycleStore) {
        var tx = new ResourcelessTransactionManager();
        return new JobBuilder(JOB_NAME, jobRepository)
                .start(new StepBuilder("stage", jobRepository).tasklet(new StageTasklet(), tx).build())
                .next(new StepBuilder("rate", jobRepository).tasklet(new RateTasklet(), tx).build())
                .next(new StepBuilder("reconcile", jobRepository).tasklet(new ReconcileTasklet(), tx).build())
                .next(new StepBuilder("write", jobRepository).tasklet(new WriteTasklet(clock, lifecycleStore), tx).build())
                .build();
    }

    @Bean
    AuditLauncher auditLauncher(org.springframework.batch.core.launch.JobOperator jobOperator, JobRepository jobRepository, Job auditJob) {
        return new AuditLauncher(jobOperator, jobRepository, auditJob);
    }
}
