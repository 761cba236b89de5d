package dev.attest.core.rating;

import java.math.BigDecimal;

/**
 * The position of one (customer, meter, billing period) fold after some of its events, in both knowledge views: what a
 * later audit needs to rate the period's next events without its earlier ones (architecture: "one seam"). In each view,
 * {@code before} is the cumulative allowed quantity (tiers, packages, entitlement use) and {@code volumeFeeDue} says
 * whether volume pricing's flat fee is still to be charged (it goes to the period's first allowed event). Volume's
 * period total continues from the as-corrected {@code before}.
 */
public record PeriodState(BigDecimal knownBefore, boolean knownVolumeFeeDue, BigDecimal correctedBefore, boolean correctedVolumeFeeDue) {
    /** A period with no earlier event. */
    public static final PeriodState START = new PeriodState(BigDecimal.ZERO, true, BigDecimal.ZERO, true);

    public PeriodState {
        if (knownBefore == null || correctedBefore == null) throw new IllegalArgumentException("both views' cumulative quantities are required");
        if (knownBefore.signum() < 0 || correctedBefore.signum() < 0) throw new IllegalArgumentException("cumulative quantities are >= 0");
    }
}
