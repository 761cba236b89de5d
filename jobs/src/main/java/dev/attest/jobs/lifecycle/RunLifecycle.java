package dev.attest.jobs.lifecycle;

import dev.attest.core.findings.Severity;
import dev.attest.reports.FindingLifecycle;
import dev.attest.reports.FindingStatus;
import dev.attest.reports.LifecycleTotals;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle of one run's findings: records the run in the store, then reads each finding's first-seen,
 * age and latest decision as of the run, and counts the findings at or above the failing severity that an
 * acceptance in force keeps out of the exit status.
 */
public record RunLifecycle(Map<String, FindingLifecycle> byFingerprint, LifecycleTotals totals, dev.attest.reports.SincePrevious since) {
    public RunLifecycle {
        byFingerprint = Map.copyOf(byFingerprint);
    }

    public static RunLifecycle apply(LifecycleStore store, String runId, Instant asOf, Instant now, Severity failOn, List<Sighting> sightings)
            throws SQLException {
        return apply(store, runId, asOf, now, failOn, sightings, null);
    }

    /**
     * @param now when this happens (the run's write step): decisions made after the run was first recorded
     *            are not shown in its report, so the same run always renders the same report
     */
    /** @param scope what the run audited (null: not compared with a previous run) */
    public static RunLifecycle apply(LifecycleStore store, String runId, Instant asOf, Instant now, Severity failOn, List<Sighting> sightings,
                                     LifecycleStore.Scope scope) throws SQLException {
        Map<String, String> codes = new LinkedHashMap<>();
        for (Sighting s : sightings) codes.putIfAbsent(s.fingerprint(), s.code());
        Instant recorded = store.recordRun(runId, asOf, now, codes, scope);
        Map<String, FindingHistory> histories = store.histories(codes.keySet(), recorded);
        LocalDate asOfDate = asOf.atZone(ZoneOffset.UTC).toLocalDate();
        Map<String, FindingLifecycle> out = new LinkedHashMap<>();
        for (Map.Entry<String, FindingHistory> e : histories.entrySet()) {
            FindingHistory h = e.getValue();
            FindingDecision latest = h.latestDecision();
            FindingStatus status = LifecycleRules.status(h.firstSeenRun().equals(runId), latest, asOfDate);
            LocalDate first = h.firstSeenAt().atZone(ZoneOffset.UTC).toLocalDate();
            out.put(e.getKey(), new FindingLifecycle(e.getKey(), first, h.firstSeenRun(), Math.max(0, ChronoUnit.DAYS.between(first, asOfDate)),
                    h.timesSeen(), status, latest == null ? null : latest.until(), latest == null ? null : latest.note(),
                    latest == null ? null : latest.decidedBy()));
        }
        Map<FindingStatus, Long> per = new EnumMap<>(FindingStatus.class);
        long suppressed = 0;
        for (Sighting s : sightings) {
            FindingLifecycle l = out.get(s.fingerprint());
            if (l == null) throw new IllegalStateException("finding " + s.fingerprint() + " was recorded but has no history");
            per.merge(l.status(), 1L, Long::sum);
            if (!LifecycleRules.countsTowardExit(l.status()) && s.severity().atLeast(failOn)) suppressed++;
        }
        return new RunLifecycle(out, new LifecycleTotals(per.getOrDefault(FindingStatus.NEW, 0L), per.getOrDefault(FindingStatus.OPEN, 0L),
                per.getOrDefault(FindingStatus.ACKNOWLEDGED, 0L), per.getOrDefault(FindingStatus.ACCEPTED, 0L),
                per.getOrDefault(FindingStatus.ACCEPTANCE_EXPIRED, 0L), suppressed), scope == null ? null : store.sincePrevious(runId));
    }
}
