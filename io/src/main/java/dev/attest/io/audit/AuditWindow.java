package dev.attest.io.audit;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.duck.Duck;
import java.time.Instant;
import java.util.Map;

/**
 * The audit window [from, to) on event_time (null ends are open), the knowledge cut-off, and each customer's
 * billing cycle. Rating still reads every event of the billing periods the window touches, per customer, because
 * the period fold needs the earlier events of the period; findings are reported only inside the window.
 *
 * <p>Without a cycle of its own a customer has the UTC calendar month, and the SQL is a constant range. Customers
 * with their own cycle get their bounds from table {@link #BOUNDS_TABLE}, written by {@link #writeBounds(Duck)}
 * into the database that runs the SQL (one row per such customer: computed in Java, where the period rule lives).
 */
public record AuditWindow(Instant from, Instant to, Instant cutoff, BillingCycles cycles) {
    /** Per customer with a cycle of its own: its rating scope {@code [scope_from, scope_to)} and {@code closed_before}. */
    public static final String BOUNDS_TABLE = "customer_bounds";

    public AuditWindow {
        if (cutoff == null) throw new IllegalArgumentException("the knowledge cut-off is required");
        if (from != null && to != null && !to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
        if (cycles == null) cycles = BillingCycles.calendarMonths();
    }

    /** Every customer on UTC calendar months (contracts v1). */
    public AuditWindow(Instant from, Instant to, Instant cutoff) {
        this(from, to, cutoff, BillingCycles.calendarMonths());
    }

    /** SQL predicate on a TIMESTAMPTZ column: inside [from, to). */
    public String contains(String column) {
        StringBuilder sb = new StringBuilder("(TRUE");
        if (from != null) sb.append(" AND ").append(column).append(" >= ").append(literal(from));
        if (to != null) sb.append(" AND ").append(column).append(" < ").append(literal(to));
        return sb.append(')').toString();
    }

    /** Whether some customer has a cycle other than the UTC calendar month: SQL must then look up its bounds. */
    public boolean hasOwnCycles() {
        return !cycles.allCalendarMonths();
    }

    /** Start of the customer's rating scope: the start of the period that holds {@code from} (null: unbounded). */
    public Instant scopeFrom(BillingCycle c) {
        return from == null ? null : c.periodOf(from).start();
    }

    /** End of the customer's rating scope: the end of the period that holds the window's last instant (null: unbounded). */
    public Instant scopeTo(BillingCycle c) {
        return to == null ? null : c.periodOf(to.minusNanos(1000)).end();
    }

    /**
     * Periods that end at or before the cut-off are closed (contracts section 10). Periods tile time, so those are
     * exactly the periods before the one that holds the cut-off: an instant is in a closed period iff it is before
     * this instant.
     */
    public Instant closedBefore(BillingCycle c) {
        return c.periodOf(cutoff).start();
    }

    /**
     * SQL predicate: {@code timeColumn} is inside the billing periods that the window touches, of the customer in
     * {@code customerColumn}.
     */
    public String ratingScope(String timeColumn, String customerColumn) {
        StringBuilder sb = new StringBuilder("(TRUE");
        BillingCycle utc = BillingCycle.CALENDAR_MONTH_UTC;
        if (from != null)
            sb.append(" AND ").append(timeColumn).append(" >= ").append(bound("scope_from", customerColumn, literal(scopeFrom(utc))));
        if (to != null)
            sb.append(" AND ").append(timeColumn).append(" < ").append(bound("scope_to", customerColumn, literal(scopeTo(utc))));
        return sb.append(')').toString();
    }

    /** SQL predicate: the billing period of ({@code customerColumn}, {@code timeColumn}) is closed at the cut-off. */
    public String inClosedPeriod(String timeColumn, String customerColumn) {
        return "(" + timeColumn + " < " + bound("closed_before", customerColumn, literal(closedBefore(BillingCycle.CALENDAR_MONTH_UTC))) + ")";
    }

    private String bound(String column, String customerColumn, String calendarMonthDefault) {
        if (!hasOwnCycles()) return calendarMonthDefault;
        return "coalesce((SELECT __b." + column + " FROM " + BOUNDS_TABLE + " __b WHERE __b.customer_id = " + customerColumn + "), "
                + calendarMonthDefault + ")";
    }

    /**
     * (Re)creates {@link #BOUNDS_TABLE} in the database whose SQL uses this window's predicates: one row per customer
     * whose cycle is not the UTC calendar month. A no-op (no table needed) when there is none.
     */
    public void writeBounds(Duck duck) {
        if (!hasOwnCycles()) return;
        duck.execute("CREATE OR REPLACE TABLE " + BOUNDS_TABLE
                + " (customer_id VARCHAR PRIMARY KEY, scope_from TIMESTAMPTZ, scope_to TIMESTAMPTZ, closed_before TIMESTAMPTZ)");
        Map<BillingCycle, String[]> byCycle = new java.util.HashMap<>();
        StringBuilder values = new StringBuilder();
        int n = 0;
        for (Map.Entry<String, BillingCycle> e : cycles.listed().entrySet()) {
            if (e.getValue().isCalendarMonthUtc()) continue;
            String[] b = byCycle.computeIfAbsent(e.getValue(), c -> new String[] {
                    from == null ? "NULL" : literal(scopeFrom(c)), to == null ? "NULL" : literal(scopeTo(c)), literal(closedBefore(c))});
            if (n > 0) values.append(", ");
            values.append('(').append(Duck.literal(e.getKey())).append(", ").append(b[0]).append(", ").append(b[1]).append(", ")
                    .append(b[2]).append(')');
            if (++n == 2_000) {
                duck.execute("INSERT INTO " + BOUNDS_TABLE + " VALUES " + values);
                values.setLength(0);
                n = 0;
            }
        }
        if (n > 0) duck.execute("INSERT INTO " + BOUNDS_TABLE + " VALUES " + values);
    }

    public static String literal(Instant t) {
        return "TIMESTAMPTZ '" + t + "'";
    }
}
