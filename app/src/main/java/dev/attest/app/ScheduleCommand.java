package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.config.ConfigException;
import dev.attest.scheduler.config.ConfigLoader;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.run.Node;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "schedule", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Run audits on schedules from a YAML file: every window exactly once, missed ones caught up.", sortOptions = false,
        description = {
                "Long-lived by default: Quartz fires each schedule's cron on the metadata database (several processes on one "
                        + "PostgreSQL database form a cluster). With --once: audit every window that is due now, then exit.",
                "Exit status of --once: 0 nothing failed and no findings at or above a schedule's fail_on, 1 findings at or "
                        + "above it, 2 bad configuration, 3 a run failed or an alert could not be delivered."})
public final class ScheduleCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The schedule file (YAML); see docs/scheduler.md.")
    Path config;

    @Option(names = "--once", description = "Run what is due now and exit (for cron).")
    boolean once;

    @Option(names = "--metadata", paramLabel = "JDBC_URL",
            description = "Metadata database (Batch, Quartz, window ledger). Default: the file's 'metadata', $ATTEST_METADATA_URL, else an H2 file in ~/.attest.")
    String metadata;

    @Option(names = "--cluster", paramLabel = "NAME", defaultValue = "attest",
            description = "Quartz cluster name: processes with the same name on one database share the work (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Override
    public Integer call() throws Exception {
        SchedulerConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("attest: " + e.getMessage());
            return 2;
        }
        String url = Metadata.url(metadata != null ? metadata : cfg.metadata());
        if (once) {
            try (ConfigurableApplicationContext ctx = AttestBoot.start(url);
                 ScheduleService service = new ScheduleService(cfg, ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class),
                         Clock.systemUTC(), System.err, Node.defaultId())) {
                PassReport r = service.once();
                System.err.println("attest: " + r.summary());
                return r.exitStatus();
            }
        }
        // Long-lived. On SIGTERM (a deploy, systemctl stop) the JVM runs this command's hook: the node claims nothing
        // more, the window it is auditing runs to its end and is recorded, and the context (the connection pool) is
        // closed only then; Spring's own hook is off, as it would close the pool under the running audit. The hook
        // waits for that end, not for a fixed time: an idle node exits at once. Main's System.exit, reached while
        // the JVM is already shutting down, only blocks; the hook's return lets the JVM halt.
        CountDownLatch stop = new CountDownLatch(1), stopped = new CountDownLatch(1);
        try (ConfigurableApplicationContext ctx = AttestBoot.start(url, java.util.Map.of(), false);
             ScheduleService service = new ScheduleService(cfg, ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class),
                     Clock.systemUTC(), System.err, Node.defaultId())) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                service.stopClaiming();
                stop.countDown();
                try {
                    stopped.await();
                    System.err.println(Clock.systemUTC().instant() + " INFO node " + service.nodeId() + " stopped");
                    System.err.flush();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "attest-stop"));
            service.serve(cluster, stop);
        } finally {
            stopped.countDown(); // after the context closed; also when serve failed, so that the hook never waits in vain
        }
        return 0;
    }
}
