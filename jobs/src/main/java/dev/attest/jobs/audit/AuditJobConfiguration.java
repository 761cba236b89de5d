package dev.attest.jobs.audit;

import dev.attest.jobs.lifecycle.LifecycleStore;
import dev.attest.lineage.openlineage.OpenLineageSettings;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The audit job: stage -> rate -> reconcile -> write. Thin: each step is a tasklet around io and core.
 * Tasklets run under a resourceless transaction manager: their work lives in DuckDB, and a long step must
 * not hold a transaction open on the metadata database. Each run sends OpenLineage START and COMPLETE/FAIL
 * events (see {@link OpenLineageSettings} for where they go).
 */
@Configuration(proxyBeanMethods = false)
public class AuditJobConfiguration {
    public static final String JOB_NAME = "audit";
    /** The first step: staging, whose tables in the work folder every later step reads. */
    public static final String STAGE_STEP = "stage";

    @Bean
    Clock attestClock() {
        return Clock.systemUTC();
    }

    /**
     * The findings' history lives in the metadata database, unless {@code attest.lifecycle.url} names another: verify
     * re-runs an audit on a throw-away run history (the real one would return the completed run), but its report must
     * show the finding history the run recorded, or report.html could not be reproduced.
     */
    @Bean
    LifecycleStore lifecycleStore(DataSource dataSource, Environment env) {
        String url = env.getProperty("attest.lifecycle.url");
        return new LifecycleStore(url == null ? dataSource : new org.springframework.jdbc.datasource.DriverManagerDataSource(url));
    }

    @Bean
    Job auditJob(JobRepository jobRepository, Clock clock, Environment env, LifecycleStore lifecycleStore) {
        var tx = new ResourcelessTransactionManager();
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OpenLineageListener(OpenLineageSettings.from(env::getProperty), clock))
                .start(new StepBuilder(STAGE_STEP, jobRepository).tasklet(new StageTasklet(), tx).build())
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
