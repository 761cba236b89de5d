package dev.attest.engine.audit;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.ScanBounds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
public record AuditWindow(Instant from, Instant to, Instant cutoff, BillingCycles cycles, boolean carried) {
    /** Per customer with a cycle of its own: its rating scope {@code [scope_from, scope_to)} and {@code closed_before}. */
    public static final String BOUNDS_TABLE = "customer_bounds";

    public AuditWindow {
        if (cutoff == null) throw new IllegalArgumentException("the knowledge cut-off is required");
        if (from != null && to != null && !to.isAfter(from)) throw new IllegalArgumentException("--to must be after --from");
        if (cycles == null) cycles = BillingCycles.calendarMonths();
        if (carried && from == null) throw new IllegalArgumentException("a carried state needs the window's start");
    }

    public AuditWindow(Instant from, Instant to, Instant cutoff, BillingCycles cycles) {
        this(from, to, cutoff, cycles, false);
    }

    /**
     * The same window rated from the periods' state carried at its start: the earlier events of each period are in
     * the state, so the rating scope starts at the window's start for every customer.
     */
    public AuditWindow carriedFromState() {
        return new AuditWindow(from, to, cutoff, cycles, true);
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

    /**
     * What staging must read: events of every customer's rating scope (the union over the cycles in use of the periods
     * the window touches), and decisions decided from a day before that scope's start on (a decision may come any time
     * after its event; one recorded more than a day before the earliest event it could belong to is not looked for).
     * No window: everything.
     */
    public ScanBounds scanBounds() {
        if (from == null && to == null) return ScanBounds.ALL;
        Instant lo = null, hi = null;
        for (BillingCycle c : cycles.distinct()) {
            Instant f = scopeFrom(c), t = scopeTo(c);
            if (f != null && (lo == null || f.isBefore(lo))) lo = f;
            if (t != null && (hi == null || t.isAfter(hi))) hi = t;
        }
        return new ScanBounds(lo, hi, lo == null ? null : lo.minus(java.time.Duration.ofDays(1)));
    }

    /** Whether some customer has a cycle other than the UTC calendar month: SQL must then look up its bounds. */
    public boolean hasOwnCycles() {
        return !cycles.allCalendarMonths();
    }

    /** Start of the customer's rating scope: the start of the period that holds {@code from} (null: unbounded). */
    public Instant scopeFrom(BillingCycle c) {
        return from == null ? null : carried ? from : c.periodOf(from).start();
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

    /** The alias under which {@link #boundsJoin} joins a customer's own bounds. */
    public static final String BOUNDS_ALIAS = "__b";

    /**
     * SQL to put right after the FROM item holding {@code customerColumn} in a query that uses {@link #ratingScope} or
     * {@link #inClosedPeriod}: a left join of that customer's own bounds (one row per customer with a cycle of its own;
     * nothing when every customer bills by the UTC calendar month). A join, not a correlated subquery per row: DuckDB
     * planned those as joins that first materialised every row they filtered (at 100M events, 4.7 GB spilled per
     * lineage pass).
     */
    public String boundsJoin(String customerColumn) {
        if (!hasOwnCycles()) return "";
        return " LEFT JOIN " + BOUNDS_TABLE + " " + BOUNDS_ALIAS + " ON " + BOUNDS_ALIAS + ".customer_id = " + customerColumn;
    }

    /**
     * SQL predicate: {@code timeColumn} is inside the billing periods that the window touches, of the customer whose
     * bounds {@link #boundsJoin} joined.
     */
    public String ratingScope(String timeColumn) {
        StringBuilder sb = new StringBuilder("(TRUE");
        BillingCycle utc = BillingCycle.CALENDAR_MONTH_UTC;
        if (from != null && carried)
            sb.append(" AND ").append(timeColumn).append(" >= ").append(literal(from));
        else if (from != null)
            sb.append(" AND ").append(timeColumn).append(" >= ").append(bound("scope_from", literal(scopeFrom(utc))));
        if (to != null)
            sb.append(" AND ").append(timeColumn).append(" < ").append(bound("scope_to", literal(scopeTo(utc))));
        return sb.append(')').toString();
    }

    /**
     * SQL predicate: the billing period of ({@code timeColumn}, the customer whose bounds {@link #boundsJoin} joined) is
     * closed at the cut-off.
     */
    public String inClosedPeriod(String timeColumn) {
        return "(" + timeColumn + " < " + bound("closed_before", literal(closedBefore(BillingCycle.CALENDAR_MONTH_UTC))) + ")";
    }

    private String bound(String column, String calendarMonthDefault) {
        if (!hasOwnCycles()) return calendarMonthDefault;
        return "coalesce(" + BOUNDS_ALIAS + "." + column + ", " + calendarMonthDefault + ")";
    }

    /**
     * (Re)creates {@link #BOUNDS_TABLE} in the database whose SQL uses this window's predicates: one row per customer
     * whose cycle is not the UTC calendar month. A no-op (no table needed) when there is none.
     */
    public void writeBounds(Duck duck) {
        if (!hasOwnCycles()) return;
        Map<BillingCycle, Integer> keys = writeCustomerCycles(duck);
        // Customers sharing a cycle share its bounds: one row per cycle, joined to the customers in DuckDB.
        List<String> rows = new ArrayList<>();
        keys.forEach((c, key) -> rows.add(key + ", " + (from == null ? "NULL" : literal(scopeFrom(c))) + ", "
                + (to == null ? "NULL" : literal(scopeTo(c))) + ", " + literal(closedBefore(c))));
        duck.execute("CREATE OR REPLACE TEMP TABLE __attest_cycle_bounds (cycle_key INTEGER, scope_from TIMESTAMPTZ, scope_to TIMESTAMPTZ, "
                + "closed_before TIMESTAMPTZ)");
        insert(duck, "__attest_cycle_bounds", rows);
        duck.execute("CREATE OR REPLACE TABLE " + BOUNDS_TABLE + " AS SELECT c.customer_id, b.scope_from, b.scope_to, b.closed_before FROM "
                + CUSTOMER_CYCLE_TABLE + " c JOIN __attest_cycle_bounds b USING (cycle_key)");
        duck.execute("DROP TABLE __attest_cycle_bounds");
    }

    /** (Re)creates {@link #CUSTOMER_CYCLE_TABLE} for the customers with a cycle of their own; returns each cycle's key. */
    private Map<BillingCycle, Integer> writeCustomerCycles(Duck duck) {
        duck.execute("CREATE OR REPLACE TABLE " + CUSTOMER_CYCLE_TABLE + " (customer_id VARCHAR PRIMARY KEY, cycle_key INTEGER)");
        Map<BillingCycle, Integer> keys = new java.util.LinkedHashMap<>();
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, BillingCycle> e : cycles.listed().entrySet()) {
            if (e.getValue().isCalendarMonthUtc()) continue;
            int key = keys.computeIfAbsent(e.getValue(), c -> keys.size() + 1);
            rows.add(Duck.literal(e.getKey()) + ", " + key);
        }
        insert(duck, CUSTOMER_CYCLE_TABLE, rows);
        return keys;
    }

    /** Inserts rows (each a comma-separated list of SQL values) in statements of a few thousand. */
    private static void insert(Duck duck, String table, List<String> rows) {
        for (int i = 0; i < rows.size(); i += 2_000)
            duck.execute("INSERT INTO " + table + " VALUES (" + String.join("), (", rows.subList(i, Math.min(rows.size(), i + 2_000))) + ")");
    }

    /** The periods of every customer's own cycle, one row each: {@code cycle_key, period_start, period_end, billing_period}. */
    public static final String PERIODS_TABLE = "cycle_periods";
    /** Which cycle each customer with a cycle of its own has: {@code customer_id, cycle_key}. */
    public static final String CUSTOMER_CYCLE_TABLE = "customer_cycle";

    /**
     * SQL for the name of the billing period (its local start date, contracts section 10) of the customer in
     * {@code customerColumn} that holds the instant in {@code timeColumn}. With customers on their own cycles it reads
     * the tables {@link #writePeriods} made; they must cover the instants named.
     */
    public String periodName(String timeColumn, String customerColumn) {
        String utc = "strftime(" + timeColumn + " AT TIME ZONE 'UTC', '%Y-%m-01')";
        if (!hasOwnCycles()) return utc;
        return "coalesce((SELECT __p.billing_period FROM " + CUSTOMER_CYCLE_TABLE + " __c JOIN " + PERIODS_TABLE + " __p ON __p.cycle_key = "
                + "__c.cycle_key WHERE __c.customer_id = " + customerColumn + " AND __p.period_start <= " + timeColumn + " AND " + timeColumn
                + " < __p.period_end), " + utc + ")";
    }

    /**
     * (Re)creates {@link #CUSTOMER_CYCLE_TABLE} and {@link #PERIODS_TABLE}: every period of every cycle in use (other than
     * the UTC calendar month) that overlaps [{@code first}, {@code last}]. A no-op without such cycles or instants.
     */
    public void writePeriods(Duck duck, Instant first, Instant last) {
        if (!hasOwnCycles()) return;
        Map<BillingCycle, Integer> keys = writeCustomerCycles(duck);
        duck.execute("CREATE OR REPLACE TABLE " + PERIODS_TABLE
                + " (cycle_key INTEGER, period_start TIMESTAMPTZ, period_end TIMESTAMPTZ, billing_period VARCHAR)");
        if (first == null || last == null) return;
        List<String> rows = new ArrayList<>();
        keys.forEach((c, key) -> {
            for (BillingPeriod p = c.periodOf(first); !p.start().isAfter(last); p = c.period(p.month().plusMonths(1)))
                rows.add(key + ", " + literal(p.start()) + ", " + literal(p.end()) + ", " + Duck.literal(p.toString()));
        });
        insert(duck, PERIODS_TABLE, rows);
    }

    public static String literal(Instant t) {
        return Duck.literal(t);
    }
}
