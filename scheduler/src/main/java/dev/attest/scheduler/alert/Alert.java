package dev.attest.scheduler.alert;

import dev.attest.core.findings.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something a person must look at. Each alert names its schedule and window and renders as one line and as JSON,
 * through the sinks the stream's alerts share ({@link dev.attest.jobs.alert}).
 */
public sealed interface Alert extends dev.attest.jobs.alert.Alert {
    String schedule();

    Instant windowStart();

    Instant windowEnd();

    /** Wire name: findings, run_failed, late_run, late_data. */
    String type();

    default String subject() {
        return "schedule=" + schedule() + " window=[" + windowStart() + ", " + windowEnd() + ")";
    }

    /** schedule, window_start and window_end, in the webhook body before the message. */
    default Map<String, Object> scope() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schedule", schedule());
        m.put("window_start", windowStart().toString());
        m.put("window_end", windowEnd().toString());
        return m;
    }

    /** Findings at or above the schedule's failing severity. */
    record Findings(String schedule, Instant windowStart, Instant windowEnd, Severity failOn, long atOrAbove,
                    Map<String, Long> severities, Path runDir) implements Alert {
        public String type() { return "findings"; }

        public String line() {
            return atOrAbove + " finding(s) at or above " + failOn.wire() + " " + severities + "; run folder " + runDir;
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fail_on", failOn.wire());
            m.put("findings_at_or_above_fail_on", atOrAbove);
            m.put("severities", severities);
            m.put("run_dir", runDir.toString());
            return m;
        }
    }

    /** The audit of a window failed on its last allowed attempt (or its node died then). */
    record RunFailed(String schedule, Instant windowStart, Instant windowEnd, int attempts, String failedStep, String message)
            implements Alert {
        public String type() { return "run_failed"; }

        public String line() {
            return "audit failed after " + attempts + " attempt(s)" + (failedStep == null ? "" : " in step " + failedStep) + ": " + message;
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attempts", attempts);
            m.put("failed_step", failedStep);
            m.put("message", message);
            return m;
        }
    }

    /** A window was audited later than its due time plus the schedule's late_after (the process was down, or busy). */
    record LateRun(String schedule, Instant windowStart, Instant windowEnd, Instant dueAt, Instant startedAt) implements Alert {
        public String type() { return "late_run"; }

        public String line() {
            return "ran late: due " + dueAt + ", started " + startedAt + " (" + dev.attest.core.Durations.human(Duration.between(dueAt, startedAt)) + " late)";
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("due_at", dueAt.toString());
            m.put("started_at", startedAt.toString());
            return m;
        }
    }

    /** Near-real-time: data landed in a window after its hold time; the window was audited again. */
    record LateData(String schedule, Instant windowStart, Instant windowEnd, long rows, Instant latestArrival, Duration hold) implements Alert {
        public String type() { return "late_data"; }

        public String line() {
            return rows + " row(s) arrived after the window's hold of " + hold + " (latest " + latestArrival + "); the window was audited again";
        }

        public Map<String, Object> details() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", rows);
            m.put("latest_arrival", latestArrival.toString());
            m.put("hold", hold.toString());
            return m;
        }
    }
}
