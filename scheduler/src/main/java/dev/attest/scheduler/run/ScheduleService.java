package dev.attest.scheduler.run;

import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.alert.Alerts;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.nrt.NrtRunner;
import dev.attest.scheduler.quartz.QuartzScheduling;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import dev.attest.scheduler.config.AuditSchedule;
import javax.sql.DataSource;

/**
 * One scheduler process on the metadata database: {@link #once()} runs every due window and returns;
 * {@link #serve} runs a start-up pass (windows missed while down, claims of dead nodes), then lets Quartz fire
 * each schedule's cron and sweeps each schedule every {@code sweep} (expired claims, retries) until stopped.
 */
public final class ScheduleService implements AutoCloseable {
    private final SchedulerConfig config;
    private final DataSource dataSource;
    private final Node node;
    private final Passes passes;
    private final PrintStream log;
    private final Alerts alerts;

    public ScheduleService(SchedulerConfig config, DataSource dataSource, AuditLauncher launcher, Clock clock, PrintStream log, String nodeId) {
        this.config = config;
        this.dataSource = dataSource;
        this.log = log;
        this.node = new Node(nodeId, clock, config.lease(), log);
        WindowLedger ledger = new WindowLedger(dataSource).create();
        this.alerts = new Alerts(log, clock, Duration.ofSeconds(5));
        this.passes = new Passes(config, new WindowRunner(ledger, launcher, alerts, node), new NrtRunner(ledger, new dev.attest.scheduler.nrt.Landings(dataSource).create(), launcher, alerts, node));
    }

    public Passes passes() {
        return passes;
    }

    public Alerts alerts() {
        return alerts;
    }

    public String nodeId() {
        return node.id();
    }

    /** SIGTERM: from now on claim nothing (also during the start-up pass); {@link #serve} returns once the running window ended. */
    public void stopClaiming() {
        node.stopClaiming();
    }

    /** Runs what is due now, once. */
    public PassReport once() {
        PassReport r = passes.runAll();
        PassPrinter.print(r, log, node.clock());
        return r;
    }

    /**
     * Long-lived: start-up pass, then Quartz fires (cron per schedule, sweep) until {@code stop} opens.
     *
     * @param clusterName Quartz scheduler name shared by the nodes of one cluster
     */
    public void serve(String clusterName, CountDownLatch stop) throws Exception {
        log.println(node.clock().instant() + " INFO node " + node.id() + " starting; " + config.schedules().size() + " schedule(s)");
        try (QuartzScheduling q = QuartzScheduling.start(dataSource, config,
                new QuartzScheduling.Hooks(passes, (Instant fired, PassReport r) -> PassPrinter.printActive(r, log)), clusterName, node.id())) {
            log.println(node.clock().instant() + " INFO node " + node.id() + " joined Quartz cluster " + clusterName + "; start-up pass");
            PassPrinter.print(passes.runAll(), log, node.clock());
            ScheduledExecutorService sweeper = Executors.newScheduledThreadPool(config.schedules().size(), r -> {
                Thread t = new Thread(r, "attest-sweep");
                t.setDaemon(true);
                return t;
            });
            for (AuditSchedule s : config.schedules())
                sweeper.scheduleWithFixedDelay(() -> sweep(s.name()), config.sweep().toMillis(), config.sweep().toMillis(), TimeUnit.MILLISECONDS);
            try {
                stop.await();
            } finally {
                // SIGTERM: claim nothing more, let the window being audited finish and be recorded (Quartz's close
                // below waits for a running cron pass, the sweeper's for a running sweep), then leave.
                node.stopClaiming();
                log.println(node.clock().instant() + " INFO node " + node.id() + " stop requested: claiming nothing more, finishing the running window");
                sweeper.shutdown(); // no interrupt: a running audit ends normally rather than failing its step
                while (!sweeper.awaitTermination(1, TimeUnit.MINUTES))
                    log.println(node.clock().instant() + " INFO node " + node.id() + " still finishing its running window");
            }
            log.println(node.clock().instant() + " INFO node " + node.id() + " stopping");
        }
    }

    /**
     * The sweep: a pass over one schedule every {@code sweep}, on this node's own thread rather than as a clustered
     * Quartz job. A Quartz job that was executing on a node when it died stays blocked cluster-wide until Quartz
     * declares the node dead (check-in interval plus 7.5 s grace), so failover would wait for that; the sweep only
     * waits for the dead node's ledger lease. A pass that throws (database unreachable) is reported and the sweep
     * goes on: the next one retries.
     */
    private void sweep(String schedule) {
        try {
            PassPrinter.printActive(passes.sweep(schedule), log);
        } catch (RuntimeException e) {
            log.println(node.clock().instant() + " ERROR pass over schedule " + schedule + " failed: " + e);
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
