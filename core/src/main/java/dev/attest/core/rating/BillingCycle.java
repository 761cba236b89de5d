package dev.attest.core.rating;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A customer's billing cycle (contracts section 10): each period starts at local midnight in {@code zone} on day
 * {@code min(anchorDay, days in the month)}; where that midnight falls in a DST gap, at the first instant after
 * the gap. Periods tile time: every instant belongs to exactly one period, {@code [start(y, m), start(next month))}.
 *
 * @param anchorDay 1..31
 * @param zone      the zone whose midnights start periods
 */
public record BillingCycle(int anchorDay, ZoneId zone) {
    /** Version 1's period, and the default for every customer a customers input does not list. */
    public static final BillingCycle CALENDAR_MONTH_UTC = new BillingCycle(1, ZoneOffset.UTC);

    public BillingCycle {
        if (anchorDay < 1 || anchorDay > 31) throw new IllegalArgumentException("billing_anchor_day must be 1..31, got " + anchorDay);
        if (zone == null) throw new IllegalArgumentException("billing_zone is required");
        // "UTC", "Z" and "Etc/UTC" name one cycle: normalise, so that equal cycles compare equal.
        zone = zone.normalized();
    }

    /** IANA's zone ids as the JDK's time-zone database knows them (legacy links such as {@code US/Eastern} included). */
    private static final java.util.Set<String> IANA_ZONES = java.util.Set.copyOf(ZoneId.getAvailableZoneIds());

    /**
     * Parses a customers row's values. {@code zoneId} must be an IANA zone id ({@code Europe/Berlin}, {@code UTC});
     * a fixed offset such as {@code +02:00} or {@code GMT+2} is not one and is refused, as is a misspelt id.
     */
    public static BillingCycle parse(int anchorDay, String zoneId) {
        if (zoneId == null || zoneId.isEmpty()) throw new IllegalArgumentException("billing_zone is empty");
        if (!IANA_ZONES.contains(zoneId)) {
            boolean offset;
            try {
                offset = ZoneId.of(zoneId).getRules().isFixedOffset();
            } catch (DateTimeException e) {
                offset = false;
            }
            throw new IllegalArgumentException("billing_zone '" + zoneId + "' is " + (offset ? "a fixed offset, not an IANA time zone"
                    : "not a known IANA time zone"));
        }
        return new BillingCycle(anchorDay, ZoneId.of(zoneId));
    }

    /** The day of month (y, m) on which its period starts: the anchor, or the month's last day when shorter. */
    public LocalDate startDate(YearMonth month) {
        return month.atDay(Math.min(anchorDay, month.lengthOfMonth()));
    }

    /** The start of the period that starts in month (y, m): local midnight, or the first instant after a DST gap there. */
    public Instant start(YearMonth month) {
        // atStartOfDay(zone) takes the earliest valid time of the date: after the gap when midnight does not exist.
        return startDate(month).atStartOfDay(zone).toInstant();
    }

    /** The period that holds instant {@code t}. */
    public BillingPeriod periodOf(Instant t) {
        YearMonth m = YearMonth.from(t.atZone(zone));
        if (t.isBefore(start(m))) m = m.minusMonths(1);
        return period(m);
    }

    /** The period that starts in month (y, m). */
    public BillingPeriod period(YearMonth month) {
        return new BillingPeriod(this, month, start(month), start(month.plusMonths(1)));
    }

    /** Whether this is version 1's period (a UTC calendar month). */
    public boolean isCalendarMonthUtc() {
        return equals(CALENDAR_MONTH_UTC);
    }

    @Override
    public String toString() {
        return "anchor day " + anchorDay + " in " + zone.getId();
    }
}
