package dev.attest.scheduler.run;

import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.nrt.NrtRunner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/** Runs a pass over one schedule or all of them, by mode. Called by cron fires, the sweep, start-up and --once. */
public final class Passes {
    private final SchedulerConfig config;
    private final WindowRunner windows;
    private final NrtRunner nrt;
    // One pass per schedule at a time in this process: audits of one schedule stay oldest first, and a long
    // backlog is not audited twice as fast with twice the memory. Other processes are kept apart by the ledger.
    private final Map<String, ReentrantLock> locks = new HashMap<>();

    public Passes(SchedulerConfig config, WindowRunner windows, NrtRunner nrt) {
        this.config = config;
        this.windows = windows;
        this.nrt = nrt;
        for (AuditSchedule s : config.schedules()) locks.put(s.name(), new ReentrantLock(true));
    }

    public SchedulerConfig config() {
        return config;
    }

    /** Runs a pass over {@code schedule}, after the one this process may be running over it now. */
    public PassReport run(String schedule) {
        ReentrantLock lock = locks.get(schedule);
        lock.lock();
        try {
            AuditSchedule s = config.schedule(schedule);
            return s.mode() == AuditSchedule.Mode.NEAR_REAL_TIME ? nrt.pass(s) : windows.pass(s);
        } finally {
            lock.unlock();
        }
    }

    /** A sweep: a pass unless this process is running one over the schedule already (that one does the work). */
    public PassReport sweep(String schedule) {
        ReentrantLock lock = locks.get(schedule);
        if (!lock.tryLock()) return new PassReport(List.of(), List.of());
        try {
            AuditSchedule s = config.schedule(schedule);
            // Near-real-time: the sweep takes over expired claims and due retries only; the cron is the tick.
            return s.mode() == AuditSchedule.Mode.NEAR_REAL_TIME ? nrt.pass(s, false) : windows.pass(s);
        } finally {
            lock.unlock();
        }
    }

    public PassReport runAll() {
        List<PassReport> reports = new ArrayList<>();
        for (AuditSchedule s : config.schedules()) reports.add(run(s.name()));
        return PassReport.merge(reports);
    }
}
