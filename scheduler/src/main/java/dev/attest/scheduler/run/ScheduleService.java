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
import javax.sql.DataSource;

/**
 * One scheduler process on the metadata database: {@link #once()} runs every due window and returns;
 * {@link #serve} runs a start-up pass (windows missed while down, claims of dead nodes), then lets Quartz fire
 * until stopped.
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
        this.passes = new Passes(config, new WindowRunner(ledger, launcher, alerts, node), new NrtRunner(ledger, launcher, alerts, node));
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

    /** Runs what is due now, once. */
    public PassReport once() {
        PassReport r = passes.runAll();
        PassPrinter.print(r, log);
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
                new QuartzScheduling.Hooks(passes, (Instant fired, PassReport r) -> PassPrinter.print(r, log)), clusterName, node.id())) {
            PassPrinter.print(passes.runAll(), log);
            stop.await();
            log.println(node.clock().instant() + " INFO node " + node.id() + " stopping");
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
