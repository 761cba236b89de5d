package dev.attest.engine.backfill;

import java.util.Locale;

/**
 * Which events a backfill corrects. Both need a decision and an amount the as-corrected view can compute;
 * the books (what was decided) must disagree with that amount or outcome.
 */
public enum Scope {
    /** Only where the correction changed the expectation (as-corrected differs from as-known): the default. */
    CORRECTION,
    /** Also where the live system already disagreed with the rules it knew (AMOUNT_MISMATCH and the like). */
    ALL;

    public static Scope parse(String text) {
        if (text == null) return CORRECTION;
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "correction" -> CORRECTION;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("--scope must be correction or all, got '" + text + "'");
        };
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
