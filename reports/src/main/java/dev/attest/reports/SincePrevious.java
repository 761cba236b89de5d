package dev.attest.reports;

import java.time.Instant;
import java.util.List;

/**
 * This run's findings against those of the previous run of the same scope (issue 15): the latest run recorded before
 * it over the same inputs and window start whose window ended no later than this one's, so that every finding it
 * reported lies inside this run's window and one that this run no longer reports is resolved, not merely outside.
 * Across nightly windows (each its own scope) there is no previous run; near-real-time passes of a span and
 * repeated audits of one window have one.
 *
 * @param previousRunId null when no such run is recorded (then the counts are zero)
 * @param perCode       per code with any change, ordered by code
 * @param resolved      the first {@link #RESOLVED_LIMIT} resolved findings, by code and fingerprint
 */
public record SincePrevious(String previousRunId, Instant previousAsOf, long fresh, long resolvedCount, long stillOpen,
                            List<CodeChange> perCode, List<Resolved> resolved) {
    public static final int RESOLVED_LIMIT = 50;

    public SincePrevious {
        perCode = perCode == null ? List.of() : List.copyOf(perCode);
        resolved = resolved == null ? List.of() : List.copyOf(resolved);
        if (fresh < 0 || resolvedCount < 0 || stillOpen < 0) throw new IllegalArgumentException("counts must be >= 0");
    }

    /** No earlier run of this scope is recorded. */
    public static SincePrevious none() {
        return new SincePrevious(null, null, 0, 0, 0, List.of(), List.of());
    }

    public record CodeChange(String code, long fresh, long resolved, long stillOpen) {}

    /** A finding the previous run reported and this one does not. */
    public record Resolved(String fingerprint, String code) {}
}
