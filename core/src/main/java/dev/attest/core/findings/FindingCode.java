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
    LATE_DECISION(Severity.WARNING),
    /** A checks file's threshold crossed (issue 14): quarantined share of input rows above the limit. */
    THRESHOLD_QUARANTINE(Severity.CRITICAL),
    /** A checks file's threshold crossed: lineage coverage below the floor. */
    THRESHOLD_COVERAGE(Severity.CRITICAL),
    /** A checks file's threshold crossed: money of one class in one currency above the limit. */
    THRESHOLD_MONEY(Severity.CRITICAL);

    private final Severity severity;

    FindingCode(Severity severity) {
        this.severity = severity;
    }

    public Severity severity() {
        return severity;
    }

    /** True for the 18 codes of contracts section 5; false for the run-failing thresholds a checks file adds. */
    public boolean inContract() {
        return !name().startsWith("THRESHOLD_");
    }

    public static FindingCode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown finding code '" + s + "'");
        }
    }
}
