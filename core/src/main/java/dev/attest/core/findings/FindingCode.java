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

    /**
     * Whether this code's {@code difference} is money at risk: summary.json's {@code amount_at_risk} and the report's
     * risk table sum {@code abs(difference)} per currency over the findings of these codes, and of no other. Today they
     * are AMOUNT_MISMATCH and ROUNDING_DIFFERENCE, the two codes whose difference is an amount billed against the
     * as-known expectation. (Where money goes, finer, is the finding's {@link MoneyClass}.) The switch has no default,
     * so a new code does not compile until it says whether it is at risk.
     */
    public boolean atRisk() {
        return switch (this) {
            case AMOUNT_MISMATCH, ROUNDING_DIFFERENCE -> true;
            case MISSING_DECISION, ORPHAN_DECISION, UNLINKED_DECISION, DUPLICATE_DECISION, DUPLICATE_EVENT_CONFLICT, OUTCOME_MISMATCH,
                 WRONG_VERSION, UNKNOWN_POLICY_VERSION, NOT_YET_RECORDED, MISSING_RULE_REF, NO_POLICY, NO_PRICE, POLICY_CONFLICT,
                 CURRENCY_MISMATCH, RETROACTIVE_CORRECTION, LATE_DECISION, THRESHOLD_QUARANTINE, THRESHOLD_COVERAGE,
                 THRESHOLD_MONEY -> false;
        };
    }

    /**
     * The {@link #atRisk()} codes as an SQL list for {@code code IN (...)}, quoted, in declaration order:
     * {@code 'AMOUNT_MISMATCH', 'ROUNDING_DIFFERENCE'}. Code names are upper-case identifiers, so quoting needs no escaping.
     */
    public static String atRiskSqlList() {
        return java.util.Arrays.stream(values()).filter(FindingCode::atRisk).map(c -> "'" + c.name() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    public static FindingCode parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown finding code '" + s + "'");
        }
    }
}
