package dev.attest.reports;

import java.time.LocalDate;

/**
 * A finding's history as of one run: first seen (the as-of date of the first run that reported it), age in
 * days at this run, how many runs reported it, and the latest decision on it (status, until, note, who).
 */
public record FindingLifecycle(String fingerprint, LocalDate firstSeen, String firstSeenRun, long ageDays, long timesSeen,
                               FindingStatus status, LocalDate acceptedUntil, String note, String decidedBy) {
    public FindingLifecycle {
        if (fingerprint == null || fingerprint.isBlank()) throw new IllegalArgumentException("fingerprint is required");
        if (firstSeen == null || status == null) throw new IllegalArgumentException("first seen and status are required (" + fingerprint + ")");
        if (ageDays < 0 || timesSeen < 1) throw new IllegalArgumentException("age >= 0 and times seen >= 1 (" + fingerprint + ")");
        if ((status == FindingStatus.ACCEPTED || status == FindingStatus.ACCEPTANCE_EXPIRED) && acceptedUntil == null)
            throw new IllegalArgumentException("an acceptance needs its until date (" + fingerprint + ")");
    }
}
