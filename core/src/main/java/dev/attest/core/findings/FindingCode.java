package dev.attest.core.findings;

/**
 * Every finding code of contracts section 5, with its default severity. Money that is or may be wrong is
 * CRITICAL; a broken control or chain ERROR; gaps that do not move money WARNING; backfill candidates INFO.
 */
public enum FindingCode {
    MISSING_DECISION(Severity.ERROR),
    ORPHAN_DECISION(Severity.ERROR),
    UNLINKED_DECISION(Severity.WARNING),
    DUPLICATE_DECISION(Severity.CRITICAL),
    DUPLICATE_EVENT_CONFLICT(Severity.ERROR),
    AMOUNT_MISMATCH(Severity.CRITICAL),
    ROUNDING_DIFFERENCE(Severity.WARNING),
    OUTCOME_MISMATCH(Severity.CRITICAL),
    WRONG_VERSION(Severity.ERROR),
    UNKNOWN_POLICY_VERSION(Severity.ERROR),
    NOT_YET_RECORDED(Severity.ERROR),
    MISSING_RULE_REF(Severity.WARNING),
    NO_POLICY(Severity.ERROR),
    NO_PRICE(Severity.ERROR),
    POLICY_CONFLICT(Severity.ERROR),
    CURRENCY_MISMATCH(Severity.CRITICAL),
    RETROACTIVE_CORRECTION(Severity.INFO),
    LATE_DECISION(Severity.WARNING);

    private final Severity severity;

    FindingCode(Severity severity) {
        this.severity = severity;
    }

    public Severity severity() {
        return severity;
    }
}
