package dev.attest.jobs.lifecycle;

import dev.attest.reports.FindingStatus;
import java.time.LocalDate;

/**
 * The status of a finding in one run, from its history and the latest decision, judged on the run's as-of date
 * (never on the wall clock, so a run's verdict does not depend on when it is looked at). An acceptance holds
 * through its until date and has expired on the day after.
 */
public final class LifecycleRules {
    private LifecycleRules() {}

    public static FindingStatus status(boolean firstSeenInThisRun, FindingDecision latest, LocalDate asOfDate) {
        if (latest != null && latest.kind() == DecisionKind.ACCEPT)
            return asOfDate.isAfter(latest.until()) ? FindingStatus.ACCEPTANCE_EXPIRED : FindingStatus.ACCEPTED;
        if (latest != null && latest.kind() == DecisionKind.ACK) return FindingStatus.ACKNOWLEDGED;
        return firstSeenInThisRun ? FindingStatus.NEW : FindingStatus.OPEN;
    }

    /** Only an acceptance still in force keeps a finding out of the exit status. */
    public static boolean countsTowardExit(FindingStatus status) {
        return status != FindingStatus.ACCEPTED;
    }
}
