package dev.attest.scheduler.run;

import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.nrt.NrtRunner;
import java.util.ArrayList;
import java.util.List;

/** Runs a pass over one schedule or all of them, by mode. Called by cron fires, the sweep, start-up and --once. */
public final class Passes {
    private final SchedulerConfig config;
    private final WindowRunner windows;
    private final NrtRunner nrt;

    public Passes(SchedulerConfig config, WindowRunner windows, NrtRunner nrt) {
        this.config = config;
        this.windows = windows;
        this.nrt = nrt;
    }

    public SchedulerConfig config() {
        return config;
    }

    public PassReport run(String schedule) {
        AuditSchedule s = config.schedule(schedule);
        return s.mode() == AuditSchedule.Mode.NEAR_REAL_TIME ? nrt.pass(s) : windows.pass(s);
    }

    public PassReport runAll() {
        List<PassReport> reports = new ArrayList<>();
        for (AuditSchedule s : config.schedules()) reports.add(run(s.name()));
        return PassReport.merge(reports);
    }
}
