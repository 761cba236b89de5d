package dev.attest.core.rating;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * One billing period of a cycle, {@code [start, end)}. It is named by its local start date ({@code 2026-11-15}),
 * the {@code billing_period} of every output (contracts section 10).
 *
 * @param month the month (in the cycle's zone) in which the period starts
 */
public record BillingPeriod(BillingCycle cycle, YearMonth month, Instant start, Instant end) {
    public BillingPeriod {
        if (cycle == null || month == null || start == null || end == null) throw new IllegalArgumentException("incomplete billing period");
        if (!end.isAfter(start)) throw new IllegalArgumentException("a billing period ends after it starts");
    }

    /** The UTC calendar month that holds {@code t}: version 1's period, the default of every customer. */
    public static BillingPeriod of(Instant t) {
        return BillingCycle.CALENDAR_MONTH_UTC.periodOf(t);
    }

    /** The local date on which the period starts: its name. */
    public LocalDate startDate() {
        return cycle.startDate(month);
    }

    /** The local date on which the next period starts (this one's last local day is the day before). */
    public LocalDate endDate() {
        return cycle.startDate(month.plusMonths(1));
    }

    public boolean contains(Instant t) {
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** Closed once the knowledge cut-off has reached its end (contracts section 10). */
    public boolean closedAt(Instant cutoff) {
        return !cutoff.isBefore(end);
    }

    /** The period's name, its local start date. */
    @Override
    public String toString() {
        return startDate().toString();
    }
}
