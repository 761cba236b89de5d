package dev.attest.scheduler.window;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * Pure window arithmetic of one schedule: which windows exist from its start, and when each is due.
 * A window [s, e) is ready once its data may be complete, at {@code e + allowance}; it is due at the first cron
 * fire at or after that. Every window between start and end is listed, whatever the cron's rhythm, so a cron
 * rarer than the window unit never skips a window.
 */
public final class WindowPlan {
    private final CronExpression cron;
    private final ZoneId zone;
    private final WindowSpec spec;
    private final Duration allowance;
    private final Instant origin;
    private final Instant end;

    /** @param end exclusive end of the last window, or null for none */
    public WindowPlan(String cron, ZoneId zone, WindowSpec spec, Duration allowance, Instant origin, Instant end) {
        if (zone == null || spec == null || origin == null) throw new IllegalArgumentException("zone, window and start are required");
        if (allowance == null || allowance.isNegative()) throw new IllegalArgumentException("allowance must be >= 0");
        this.cron = parse(cron, zone);
        this.zone = zone;
        this.spec = spec;
        this.allowance = allowance;
        this.origin = spec.floor(origin, origin, zone);
        this.end = end;
    }

    public static CronExpression parse(String cron, ZoneId zone) {
        try {
            CronExpression c = new CronExpression(cron);
            c.setTimeZone(TimeZone.getTimeZone(zone));
            return c;
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException("bad cron expression '" + cron + "': " + e.getMessage()
                    + " (Quartz syntax: seconds minutes hours day-of-month month day-of-week, e.g. \"0 30 2 * * ?\")");
        }
    }

    public Instant origin() {
        return origin;
    }

    /** The window whose start is {@code start} (a boundary of this plan). */
    public Window windowAt(Instant start) {
        Instant e = spec.next(start, zone);
        return new Window(start, e, dueAt(e));
    }

    /** When the window ending at {@code windowEnd} is due: the first cron fire at or after its end plus the allowance. */
    public Instant dueAt(Instant windowEnd) {
        Instant ready = windowEnd.plus(allowance);
        // getTimeAfter is strictly after, at second resolution: ask from one second before.
        Date next = cron.getTimeAfter(Date.from(ready.minusSeconds(1)));
        return next == null ? Instant.MAX : next.toInstant();
    }

    /**
     * Windows starting at or after {@code from} (a boundary; null: the plan's start) that are due at {@code now},
     * oldest first, at most {@code limit}.
     */
    public List<Window> due(Instant from, Instant now, int limit) {
        List<Window> out = new ArrayList<>();
        Instant s = from == null || from.isBefore(origin) ? origin : from;
        while (out.size() < limit) {
            Instant e = spec.next(s, zone);
            if (end != null && e.isAfter(end)) break;
            if (e.plus(allowance).isAfter(now)) break;
            Instant due = dueAt(e);
            if (due.isAfter(now)) break;
            out.add(new Window(s, e, due));
            s = e;
        }
        return out;
    }

    /** The boundary at or before {@code t}. */
    public Instant floor(Instant t) {
        return spec.floor(t, origin, zone);
    }
}
