package dev.attest.core.policy;

import java.math.BigDecimal;

/**
 * One tier of a graduated or volume rule: covers cumulative quantity in (previous upTo, upTo].
 * {@code upTo == null} means unbounded; {@code flatFee} is never null (zero when absent).
 */
public record Tier(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
    public Tier {
        if (unitPrice == null) throw new IllegalArgumentException("tier unit_price is required");
        if (flatFee == null) flatFee = BigDecimal.ZERO;
        if (upTo != null && upTo.signum() <= 0) throw new IllegalArgumentException("tier up_to must be > 0, got " + upTo);
    }

    public boolean unbounded() {
        return upTo == null;
    }
}
