package dev.attest.core.rating;

import dev.attest.core.policy.VersionRef;
import java.math.BigDecimal;
import java.util.List;

/**
 * What one knowledge view expects of an event.
 *
 * @param outcome     charged or denied; null only when the entitlement itself is in conflict
 * @param amount      final amount after discount and rounding; 0 when denied; null when status is not RATED
 *                    and the event was not denied
 * @param status      RATED, or why no amount could be computed for the price
 * @param price       the price version that applies in this view, or null
 * @param discount    the discount version that applies, or null
 * @param entitlement the entitlement version checked, or null
 * @param currency    the price policy's currency, or null
 * @param before      cumulative allowed quantity of the period before this event, in this view
 * @param provisional true for volume pricing while the billing period is still open at the cut-off
 * @param conflicting policy ids in conflict when status is POLICY_CONFLICT (any kind), else empty
 * @param computation a short human-readable account of the computation (tiers, discount, rounding)
 */
public record Expectation(Outcome outcome, BigDecimal amount, RatingStatus status, VersionRef price, VersionRef discount,
                          VersionRef entitlement, String currency, BigDecimal before, boolean provisional,
                          List<String> conflicting, String computation) {
    public Expectation {
        if (status == null) throw new IllegalArgumentException("status is required");
        conflicting = conflicting == null ? List.of() : List.copyOf(conflicting);
    }

    /** True when this view has an amount to compare with. */
    public boolean hasAmount() {
        return amount != null && status == RatingStatus.RATED;
    }
}
