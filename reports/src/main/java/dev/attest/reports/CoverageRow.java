package dev.attest.reports;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Lineage coverage of one customer and meter: decisions in scope and how many have an intact chain. */
public record CoverageRow(String customerId, String meter, long decisions, long intact) {
    public CoverageRow {
        if (decisions < 1 || intact < 0 || intact > decisions)
            throw new IllegalArgumentException("need 0 <= intact <= decisions, decisions >= 1 (" + customerId + ", " + meter + ")");
    }

    public BigDecimal coverage() {
        return BigDecimal.valueOf(intact).divide(BigDecimal.valueOf(decisions), 6, RoundingMode.HALF_EVEN);
    }
}
