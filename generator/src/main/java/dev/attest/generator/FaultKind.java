package dev.attest.generator;

import dev.attest.core.findings.FindingCode;

/**
 * The faults the generator injects, each on an event of its own, named after the finding code it provokes;
 * {@link #IDENTICAL_DUPLICATE_EVENT} is the benign one (a re-delivery that must cause nothing). Every fault is
 * recorded in truth.json with all the findings it causes; events without a fault cause none.
 */
public enum FaultKind {
    /** The event's decision is not written. Causes MISSING_DECISION. */
    MISSING_DECISION(FindingCode.MISSING_DECISION),
    /** An extra decision (a copy of another event's) for an event id that was never delivered. Causes ORPHAN_DECISION. */
    ORPHAN_DECISION(FindingCode.ORPHAN_DECISION),
    /** The event's decision lost its event_id. Causes UNLINKED_DECISION and, for the event, MISSING_DECISION. */
    UNLINKED_DECISION(FindingCode.UNLINKED_DECISION),
    /** A retry wrote a second decision with a new id and the same amount. Causes DUPLICATE_DECISION (once per event). */
    DUPLICATE_DECISION(FindingCode.DUPLICATE_DECISION),
    /**
     * The event is delivered again with another quantity (or, for a payment, another value). Causes
     * DUPLICATE_EVENT_CONFLICT; the event is not rated (the other events of its period are rated without it)
     * and its decision is not checked.
     */
    DUPLICATE_EVENT_CONFLICT(FindingCode.DUPLICATE_EVENT_CONFLICT),
    /** Charged 1.00 more than expected. Causes AMOUNT_MISMATCH. */
    AMOUNT_MISMATCH(FindingCode.AMOUNT_MISMATCH),
    /** Charged 0.004 more than expected (USD: within half a cent). Causes ROUNDING_DIFFERENCE. */
    ROUNDING_DIFFERENCE(FindingCode.ROUNDING_DIFFERENCE),
    /** Denied (amount 0) where charged was expected, or, for a trial customer over quota, charged where denied was. Causes OUTCOME_MISMATCH. */
    OUTCOME_MISMATCH(FindingCode.OUTCOME_MISMATCH),
    /** Names price-api_calls@v1 after v2 took effect, or @v2 before; the amount is correct. Causes WRONG_VERSION. */
    WRONG_VERSION(FindingCode.WRONG_VERSION),
    /** Names version 99 of the right price policy; the amount is correct. Causes UNKNOWN_POLICY_VERSION. */
    UNKNOWN_POLICY_VERSION(FindingCode.UNKNOWN_POLICY_VERSION),
    /** Decided before 2026-01-05T10:00Z but names price-api_calls@v2, recorded then; the amount is correct. Causes NOT_YET_RECORDED. */
    NOT_YET_RECORDED(FindingCode.NOT_YET_RECORDED),
    /** A charged decision without price_policy_id and price_version; the amount is correct. Causes MISSING_RULE_REF. */
    MISSING_RULE_REF(FindingCode.MISSING_RULE_REF),
    /** An event of gpu_minutes, which has no price policy; its decision names price-compute_seconds@v1. Causes NO_POLICY. */
    NO_POLICY(FindingCode.NO_POLICY),
    /** An egress event in region "sa" (no matrix entry, no default) or a payment without value. Causes NO_PRICE. */
    NO_PRICE(FindingCode.NO_PRICE),
    /** cust-0007's SMS while its own price and a promo policy both apply (Jan 20-22). Causes POLICY_CONFLICT. */
    POLICY_CONFLICT(FindingCode.POLICY_CONFLICT),
    /** Decided in EUR, the price is in USD; the number is correct. Causes CURRENCY_MISMATCH. */
    CURRENCY_MISMATCH(FindingCode.CURRENCY_MISMATCH),
    /**
     * Not injected on chosen events: every event whose as-known and as-corrected amounts differ because
     * cust-0003's API price was corrected on 2026-02-26 (version 2, valid from February 1). Causes RETROACTIVE_CORRECTION.
     */
    RETROACTIVE_CORRECTION(FindingCode.RETROACTIVE_CORRECTION),
    /** Decided 2 to 9 hours after the event (limit PT1H); the amount is the one known then. Causes LATE_DECISION. */
    LATE_DECISION(FindingCode.LATE_DECISION),
    /** The event is delivered twice with identical content: one event, counted once. Causes nothing. */
    IDENTICAL_DUPLICATE_EVENT(null);

    /** The finding this fault is built to provoke, or null for the benign re-delivery. */
    public final FindingCode code;

    FaultKind(FindingCode code) {
        this.code = code;
    }

    /** Faults placed on a chosen event by the plan (everything but the correction's and the special partitions'). */
    boolean placedOnEvent() {
        return this != RETROACTIVE_CORRECTION && this != NO_POLICY && this != POLICY_CONFLICT;
    }
}
