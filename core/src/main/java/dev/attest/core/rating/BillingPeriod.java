package dev.attest.core.rating;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** The billing period is the calendar month in UTC (contracts section 4). */
public record BillingPeriod(YearMonth month) {
    public static BillingPeriod of(Instant t) {
        return new BillingPeriod(YearMonth.from(t.atOffset(ZoneOffset.UTC)));
    }

    public Instant start() {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public Instant end() {
        return month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** A period is closed once the knowledge cut-off has reached its end. */
    public boolean closedAt(Instant cutoff) {
        return !cutoff.isBefore(end());
    }

    @Override
    public String toString() {
        return month.toString();
    }
}
