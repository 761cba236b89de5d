package dev.attest.core.rating;

/** Whether a view could compute an expected amount, and if not, why (contracts section 5). */
public enum RatingStatus {
    /** An amount was computed (or the event was denied by its entitlement). */
    RATED,
    /** No price version applies to the event. */
    NO_POLICY,
    /** A price version applies but cannot price the event (matrix without match, percentage without value). */
    NO_PRICE,
    /** Two policies of one kind both apply; nothing is chosen. */
    POLICY_CONFLICT
}
