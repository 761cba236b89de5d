package dev.attest.scheduler.window;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.DayOfWeek;

/**
 * How a schedule cuts event time into windows: whole calendar periods in the schedule's zone (a day there may
 * last 23 or 25 hours), or fixed lengths counted from the schedule's start (near-real-time windows).
 */
public sealed interface WindowSpec {
    /** The first window boundary at or before {@code t}, counted from {@code origin} (fixed lengths only). */
    Instant floor(Instant t, Instant origin, ZoneId zone);

    /** The boundary after {@code boundary}. */
    Instant next(Instant boundary, ZoneId zone);

    enum Unit { HOUR, DAY, WEEK, MONTH }

    record Calendar(Unit unit) implements WindowSpec {
        public Calendar {
            if (unit == null) throw new IllegalArgumentException("window unit is required");
        }

        @Override
        public Instant floor(Instant t, Instant origin, ZoneId zone) {
            ZonedDateTime z = t.atZone(zone);
            ZonedDateTime f = switch (unit) {
                case HOUR -> z.truncatedTo(ChronoUnit.HOURS);
                case DAY -> z.toLocalDate().atStartOfDay(zone);
                case WEEK -> z.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(zone);
                case MONTH -> z.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
            };
            return f.toInstant();
        }

        @Override
        public Instant next(Instant boundary, ZoneId zone) {
            ZonedDateTime z = boundary.atZone(zone);
            // Days, weeks and months step on the local date and take that date's start of day, so a DST day is one window.
            return switch (unit) {
                case HOUR -> boundary.plus(Duration.ofHours(1));
                case DAY -> z.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
                case WEEK -> z.toLocalDate().plusWeeks(1).atStartOfDay(zone).toInstant();
                case MONTH -> z.toLocalDate().plusMonths(1).atStartOfDay(zone).toInstant();
            };
        }
    }

    record Fixed(Duration length) implements WindowSpec {
        public Fixed {
            if (length == null || length.isNegative() || length.isZero() || length.getNano() != 0)
                throw new IllegalArgumentException("window length must be a positive whole number of seconds, got " + length);
        }

        @Override
        public Instant floor(Instant t, Instant origin, ZoneId zone) {
            long k = Math.floorDiv(Duration.between(origin, t).getSeconds(), length.getSeconds());
            return origin.plusSeconds(k * length.getSeconds());
        }

        @Override
        public Instant next(Instant boundary, ZoneId zone) {
            return boundary.plus(length);
        }
    }
}
