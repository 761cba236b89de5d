package dev.attest.reports;

/**
 * One billing period name (its local start date, contracts section 10) of the audit window: how many customers and
 * events of the window fall in a period of that name, how many of those events have findings, and how many
 * expected amounts are still provisional (volume pricing in a period open at the cut-off). Customers on different
 * cycles have periods of different names, so a name groups the customers who share a cycle start.
 */
public record PeriodCount(String billingPeriod, long customers, long events, long eventsWithFindings, long provisional) {
    public PeriodCount {
        if (billingPeriod == null) throw new IllegalArgumentException("billing_period is required");
        if (customers < 0 || events < 0 || eventsWithFindings < 0 || provisional < 0)
            throw new IllegalArgumentException("counts must be >= 0 (" + billingPeriod + ")");
    }
}
