package dev.attest.jobs.lifecycle;

import java.time.Instant;
import java.util.List;

/** What the metadata store knows of one fingerprint: when it was first and last reported, and every decision on it. */
public record FindingHistory(String fingerprint, String code, String firstSeenRun, Instant firstSeenAt, String lastSeenRun, Instant lastSeenAt,
                             long timesSeen, List<FindingDecision> decisions) {
    public FindingHistory {
        decisions = List.copyOf(decisions);
    }

    /** The decision in force: the latest recorded. */
    public FindingDecision latestDecision() {
        return decisions.isEmpty() ? null : decisions.get(decisions.size() - 1);
    }
}
