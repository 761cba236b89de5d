package dev.attest.scheduler.quartz;

import dev.attest.jobs.MetadataLock;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.Passes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz on the metadata database: JDBC job store (JobStoreTX on the same DataSource as Batch and the ledger),
 * clustered, one durable job per schedule with its cron trigger (requests recovery: a fire interrupted by a node's
 * death is fired again on another node once Quartz declares the node dead). The sweep is not a Quartz job: see
 * {@link dev.attest.scheduler.run.ScheduleService}. Misfires fire once now: the
 * ledger, not Quartz, lists every window that fell due meanwhile.
 */
public final class QuartzScheduling implements AutoCloseable {
    static final String HOOKS = "attest.hooks";
    static final String GROUP = "attest";

    /** What a fired job calls. */
    public record Hooks(Passes passes, BiConsumer<Instant, PassReport> onPass) {}

    private final Scheduler scheduler;

    private QuartzScheduling(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Creates the tables if needed, (re)registers the jobs of {@code config} (removing those of schedules no longer
     * there) and starts firing.
     *
     * @param clusterName the same on every node of one cluster; {@code nodeId} unique per process
     */
    public static QuartzScheduling start(DataSource ds, SchedulerConfig config, Hooks hooks, String clusterName, String nodeId)
            throws SchedulerException, SQLException {
        QuartzSchema.ensure(ds);
        boolean pg;
        try (Connection c = ds.getConnection()) {
            pg = MetadataLock.isPostgres(c);
        }
        String dsName = "attest-" + nodeId;
        DBConnectionManager.getInstance().addConnectionProvider(dsName, new ConnectionProvider() {
            public Connection getConnection() throws SQLException { return ds.getConnection(); }
            public void shutdown() {}
            public void initialize() {}
        });
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", clusterName);
        p.setProperty("org.quartz.scheduler.instanceId", nodeId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(config.schedules().size() + 1));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass",
                pg ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate" : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dsName);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", String.valueOf(config.clusterCheckin().toMillis()));
        p.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        StdSchedulerFactory factory = new StdSchedulerFactory(p);
        Scheduler s = factory.getScheduler();
        s.getContext().put(HOOKS, hooks);
        register(s, config);
        s.start();
        return new QuartzScheduling(s);
    }

    private static void register(Scheduler s, SchedulerConfig config) throws SchedulerException {
        Set<JobKey> wanted = new HashSet<>();
        for (AuditSchedule a : config.schedules()) {
            JobKey key = JobKey.jobKey(a.name(), GROUP);
            wanted.add(key);
            JobDetail job = JobBuilder.newJob(FireJob.class).withIdentity(key).usingJobData(FireJob.SCHEDULE, a.name())
                    .requestRecovery(true).storeDurably().build();
            Trigger cron = TriggerBuilder.newTrigger().withIdentity(a.name(), GROUP).forJob(key)
                    .withSchedule(CronScheduleBuilder.cronSchedule(a.cron()).inTimeZone(TimeZone.getTimeZone(a.zone()))
                            .withMisfireHandlingInstructionFireAndProceed()).build();
            s.scheduleJob(job, Set.of(cron), true);
        }
        for (JobKey k : s.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) if (!wanted.contains(k)) s.deleteJob(k);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Stops firing; waits for running passes to end when {@code wait}. */
    public void close(boolean wait) {
        try {
            scheduler.shutdown(wait);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot stop Quartz: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        close(true);
    }
}
