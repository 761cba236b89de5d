package dev.attest.io.audit;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The audit window [from, to) on event_time (null ends are open) and the knowledge cut-off.
 * Rating still reads every event of the billing months the window touches, because the period fold
 * needs the earlier events of the month; findings are reported only inside the window.
 */
public record AuditWindow(Instant from, Instant to, Instant cutoff) {
    public AuditWindow {
        if (cutoff == null) throw new IllegalArgumentException("the knowledge cut-off is required");
        if (from != null && to != null && !to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
    }

    /** SQL predicate on a TIMESTAMPTZ column: inside [from, to). */
    public String contains(String column) {
        StringBuilder sb = new StringBuilder("(TRUE");
        if (from != null) sb.append(" AND ").append(column).append(" >= ").append(literal(from));
        if (to != null) sb.append(" AND ").append(column).append(" < ").append(literal(to));
        return sb.append(')').toString();
    }

    /** SQL predicate: inside the billing months (UTC) that the window touches. */
    public String ratingScope(String column) {
        StringBuilder sb = new StringBuilder("(TRUE");
        if (from != null) {
            Instant monthStart = YearMonth.from(from.atOffset(ZoneOffset.UTC)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            sb.append(" AND ").append(column).append(" >= ").append(literal(monthStart));
        }
        if (to != null) {
            Instant last = to.minusNanos(1000);
            Instant monthEnd = YearMonth.from(last.atOffset(ZoneOffset.UTC)).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            sb.append(" AND ").append(column).append(" < ").append(literal(monthEnd));
        }
        return sb.append(')').toString();
    }

    public static String literal(Instant t) {
        return "TIMESTAMPTZ '" + t + "'";
    }
}
