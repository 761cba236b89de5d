package dev.attest.core.findings;

import java.util.Locale;

/**
 * Which way a finding's money goes (issue 14). Every class but {@link #RETROACTIVE} is a non-negative magnitude;
 * RETROACTIVE is as-corrected minus as-known (positive: customers owe more after the correction).
 */
public enum MoneyClass {
    /** AMOUNT_MISMATCH / ROUNDING_DIFFERENCE with actual > expected; OUTCOME_MISMATCH charged where denied was expected. */
    OVERCHARGED,
    /** AMOUNT_MISMATCH / ROUNDING_DIFFERENCE with actual < expected; OUTCOME_MISMATCH denied where a charge was expected. */
    UNDERCHARGED,
    /** MISSING_DECISION of an event that should have been charged: the as-known expected amount. */
    UNBILLED,
    /** DUPLICATE_DECISION: the amounts of every charged decision after the first (the charge). */
    DOUBLE_CHARGED,
    /** ORPHAN_DECISION and charged UNLINKED_DECISION: their amounts. */
    CHARGED_WITHOUT_USAGE,
    /** Billed where no expectation could be formed: CURRENCY_MISMATCH, NO_POLICY, NO_PRICE, POLICY_CONFLICT. */
    UNVERIFIED,
    /** RETROACTIVE_CORRECTION: as-corrected minus as-known, signed. */
    RETROACTIVE;

    /** The name in files and on screen: {@code double_charged}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MoneyClass parse(String s) {
        for (MoneyClass c : values()) if (c.wire().equalsIgnoreCase(s) || c.name().equalsIgnoreCase(s)) return c;
        throw new IllegalArgumentException("unknown money class '" + s + "' (one of overcharged, undercharged, unbilled, double_charged, "
                + "charged_without_usage, unverified, retroactive)");
    }
}
