package dev.attest.reports;

import java.math.BigDecimal;

/**
 * Amount at risk (sum of |difference| of AMOUNT_MISMATCH and ROUNDING_DIFFERENCE) of one customer in one
 * currency, or, when {@code customerId} is null, of the {@code customers} customers outside the top N.
 */
public record RiskRow(String customerId, String currency, BigDecimal amount, long findings, long customers) {
    public RiskRow {
        if (currency == null || currency.isBlank()) currency = "?";
        if (amount == null || amount.signum() < 0) throw new IllegalArgumentException("amount must be >= 0 (customer " + customerId + ")");
        if (findings < 0 || customers < 1) throw new IllegalArgumentException("findings >= 0 and customers >= 1 (customer " + customerId + ")");
    }

    public boolean rest() {
        return customerId == null;
    }
}
