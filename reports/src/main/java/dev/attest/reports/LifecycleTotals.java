package dev.attest.reports;

/**
 * Findings of a run per lifecycle status, and how many at or above the failing severity were left out of the
 * exit status because they are accepted.
 */
public record LifecycleTotals(long fresh, long open, long acknowledged, long accepted, long acceptanceExpired, long suppressedFromExit) {
    public LifecycleTotals {
        if (fresh < 0 || open < 0 || acknowledged < 0 || accepted < 0 || acceptanceExpired < 0 || suppressedFromExit < 0)
            throw new IllegalArgumentException("lifecycle counts must be >= 0");
        if (suppressedFromExit > accepted) throw new IllegalArgumentException("cannot suppress more findings than are accepted");
    }
}
