package dev.attest.scheduler.ledger;

import java.time.Instant;

/**
 * One window of one schedule in the ledger. {@code attempts} counts the attempts of the current audit;
 * {@code audits} the completed audits (near-real-time windows are audited again when late data lands);
 * {@code watermark}/{@code seenRows}: the arrivals the last completed audit saw (near-real-time only).
 */
public record LedgerRow(String schedule, Instant windowStart, Instant windowEnd, Instant dueAt, Status status, int attempts,
                        String node, Instant leaseUntil, Instant notBefore, Instant startedAt, Instant finishedAt, boolean late,
                        String runDir, Integer exitStatus, String message, Instant watermark, long seenRows, int audits, Instant asOf) {
    public enum Status { RUNNING, RETRY, DONE, FAILED }
}
