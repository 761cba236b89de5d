package dev.attest.jobs.lifecycle;

/** What someone decided about a finding. */
public enum DecisionKind {
    /** Seen and being handled: still counts toward the exit status. */
    ACK,
    /** Accepted risk until a date: does not count toward the exit status until then, and is raised again after. */
    ACCEPT
}
