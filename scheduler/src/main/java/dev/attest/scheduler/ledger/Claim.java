package dev.attest.scheduler.ledger;

import java.time.Instant;

/** The result of trying to claim a window for this node. */
public sealed interface Claim {
    /**
     * This node holds the window now; {@code attempt} is 1 for a first try. {@code asOf}: the cut-off of an
     * unfinished audit to restart, or null. {@code epoch}: which claim of the window this is, the fencing token
     * that renewing, finishing and publishing are checked against.
     */
    record Claimed(int attempt, Instant asOf, long epoch) implements Claim {}

    /** Another live node holds it. */
    record Busy(String node, Instant leaseUntil) implements Claim {}

    /** Completed before (or, near-real-time, nothing new arrived). */
    record Done() implements Claim {}

    /** Failed for good; no more attempts. */
    record Failed() implements Claim {}

    /** Waiting for its retry delay. */
    record NotYet(Instant notBefore) implements Claim {}

    /**
     * The holder died on its last allowed attempt (its lease ran out): this node marked the window FAILED and
     * must alert. Only one node sees this, the one whose update took the row.
     */
    record Abandoned(String node, int attempts) implements Claim {}
}
