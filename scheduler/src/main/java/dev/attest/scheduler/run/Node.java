package dev.attest.scheduler.run;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * This scheduler process: its id in the ledger (and Quartz's instance id), its clock, the lease of its claims and
 * the thread that renews them.
 */
public final class Node implements AutoCloseable {
    private final String id;
    private final Clock clock;
    private final Duration lease;
    private final PrintStream log;
    private volatile boolean stopping;
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "attest-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public Node(String id, Clock clock, Duration lease, PrintStream log) {
        this.id = id;
        this.clock = clock;
        this.lease = lease;
        this.log = log;
    }

    /** pid@host plus a random suffix: unique even when a pid is reused after a restart. */
    public static String defaultId() {
        return ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }

    public Clock clock() {
        return clock;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * From now on this node claims nothing: passes end before their next window (SIGTERM). The window being audited
     * runs to its end and is recorded; the ones after it are left to the other nodes or the next start.
     */
    public void stopClaiming() {
        stopping = true;
    }

    public boolean stopping() {
        return stopping;
    }

    /** Prints a window's line when its attempt ended (skipped windows are summarised by the pass). */
    public WindowResult report(WindowResult r) {
        if (r != null && r.status() != WindowResult.Status.SKIPPED) PassPrinter.line(r, log, clock);
        return r;
    }

    /** Renews a claim every third of the lease until closed. */
    public Heartbeat heartbeat(BooleanSupplier renew) {
        long period = Math.max(100, lease.toMillis() / 3);
        ScheduledFuture<?> f = beats.scheduleAtFixedRate(() -> {
            try {
                if (!renew.getAsBoolean()) log.println(clock.instant() + " WARN node " + id + " lost its claim (lease expired and taken over)");
            } catch (RuntimeException e) {
                // A missed beat is not fatal: the lease outlives two more tries, and the workspace lock still keeps
                // a second node from auditing the same window while this one runs. Say so and keep beating.
                log.println(clock.instant() + " WARN heartbeat of node " + id + " failed: " + e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    public interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public void close() {
        beats.shutdownNow();
    }
}
