package dev.attest.scheduler.config;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A schedule file: the audits, and how the scheduler processes cooperate. {@code lease}: how long a window
 * claim lives without a heartbeat (a node that dies loses its claims after this); {@code sweep}: how often each
 * process looks for due work besides the cron fires (expired claims, retries); {@code clusterCheckin}: Quartz's
 * cluster check-in interval.
 */
public record SchedulerConfig(List<AuditSchedule> schedules, Duration lease, Duration sweep, Duration clusterCheckin, String metadata) {
    public SchedulerConfig {
        if (schedules == null || schedules.isEmpty()) throw new IllegalArgumentException("schedules: at least one schedule is required");
        schedules = List.copyOf(schedules);
        Set<String> names = new HashSet<>();
        for (AuditSchedule s : schedules)
            if (!names.add(s.name())) throw new IllegalArgumentException("schedules: the name '" + s.name() + "' is used twice");
        if (lease == null) lease = Duration.ofSeconds(30);
        if (sweep == null) sweep = Duration.ofSeconds(10);
        if (clusterCheckin == null) clusterCheckin = Duration.ofSeconds(5);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) throw new IllegalArgumentException("lease must be at least 1s");
        if (sweep.compareTo(Duration.ofMillis(200)) < 0) throw new IllegalArgumentException("sweep must be at least 200ms");
    }

    public AuditSchedule schedule(String name) {
        for (AuditSchedule s : schedules) if (s.name().equals(name)) return s;
        throw new IllegalArgumentException("no schedule named '" + name + "'");
    }
}
