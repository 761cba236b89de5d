package dev.attest.engine.backfill;

import dev.attest.io.duck.Duck;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the books (the decisions) with the as-corrected expectation of every event in the window, in
 * DuckDB, from the tables the rating pass left: {@code expected} (both views) and the staged decisions.
 *
 * <p>Per event ({@code <prefix>_events}): its decisions, what they charged, what the as-corrected view says,
 * whether the two disagree, whether the correction caused it (as-corrected differs from as-known), and the
 * versions before, after and correcting. Per decision ({@code <prefix>_contrib}): the money each in-scope
 * event moves, keyed by (customer, meter, billing period, invoice, currency) — the original decision's
 * amount leaves on its own invoice and currency, the corrected amount arrives on the first decision's invoice
 * in the price policy's currency. Grouping those rows gives the impact and the adjustments.
 */
public final class ImpactPass {
    /** The contract's decision columns, in contract order. */
    public static final String DECISION_COLUMNS = "decision_id, event_id, customer_id, meter, outcome, amount, currency, price_policy_id, "
            + "price_version, discount_policy_id, discount_version, entitlement_policy_id, entitlement_version, decided_at, invoice_id";

    /** The columns of one impact or adjustment line, in output order. */
    static final String LINE_KEY = "customer_id, meter, billing_period, invoice_id, currency";

    private final Duck duck;

    public ImpactPass(Duck duck) {
        this.duck = duck;
    }

    /** What the comparison found, counted over the window's events. */
    public record Counts(long inWindow, long withoutDecision, long notCorrectable, long agreeing, long disagreeing, long retroactive,
                         long inScope, long restated, long outOfScope, long versionOnly) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("in_window", inWindow);
            m.put("without_decision", withoutDecision);
            m.put("not_correctable", notCorrectable);
            m.put("agreeing_with_as_corrected", agreeing);
            m.put("disagreeing_with_as_corrected", disagreeing);
            m.put("changed_by_correction", retroactive);
            m.put("to_correct", inScope);
            m.put("restated_unchanged", restated);
            m.put("disagreeing_out_of_scope", outOfScope);
            m.put("version_changed_amount_same", versionOnly);
            return m;
        }
    }

    /** Totals of the lines of one currency. */
    public record Total(String currency, long lines, long events, BigDecimal before, BigDecimal after, BigDecimal delta,
                        BigDecimal credits, BigDecimal debits) {}

    /** Builds {@code <prefix>_events} and {@code <prefix>_contrib}. */
    public void build(String prefix, String decisionsTable, String expectedTable, Scope scope) {
        String ref = "CASE WHEN %1$s_policy_id IS NULL THEN NULL ELSE %1$s_policy_id || '@v' || coalesce(CAST(%1$s_version AS VARCHAR), '?') END";
        duck.execute("CREATE OR REPLACE TABLE " + prefix + "_events AS "
                + "WITH dec AS (SELECT d.*, row_number() OVER (PARTITION BY d.event_id ORDER BY d.decided_at, d.decision_id, d.src_file, d.src_row) AS rn, "
                + "list_filter([" + ref.formatted("d.price") + ", " + ref.formatted("d.discount") + ", " + ref.formatted("d.entitlement")
                + "], lambda r: r IS NOT NULL) AS refs "
                + "FROM " + decisionsTable + " d SEMI JOIN " + expectedTable + " x ON d.event_id = x.event_id), "
                + "agg AS (SELECT event_id, count(*) AS decisions, sum(amount) AS amount_before, "
                + "list(decision_id ORDER BY rn) AS decision_ids, list_sort(list_distinct(flatten(list(refs)))) AS versions_before, "
                + "arg_min(decision_id, rn) AS first_decision_id, arg_min(invoice_id, rn) AS first_invoice_id, "
                + "arg_min(outcome, rn) AS first_outcome, arg_min(amount, rn) AS first_amount, arg_min(currency, rn) AS first_currency "
                + "FROM dec GROUP BY event_id), "
                + "ev AS (SELECT x.event_id, x.customer_id, x.meter, x.billing_period, x.event_time, "
                + "strftime(x.event_time, '%Y-%m-%d') AS day, a.decisions, a.decision_ids, a.amount_before, a.first_decision_id, "
                + "a.first_invoice_id, a.versions_before, a.first_outcome, x.expected_outcome, "
                + "x.corrected_outcome, x.corrected_amount, "
                + "CASE WHEN x.corrected_outcome = 'charged' THEN x.corrected_currency ELSE coalesce(x.corrected_currency, a.first_currency) END "
                + "AS corrected_currency, "
                + "x.corrected_price_policy_id, x.corrected_price_version, x.corrected_discount_policy_id, x.corrected_discount_version, "
                + "x.corrected_entitlement_policy_id, x.corrected_entitlement_version, "
                + "list_filter([" + ref.formatted("x.corrected_price") + ", " + ref.formatted("x.corrected_discount") + ", "
                + ref.formatted("x.corrected_entitlement") + "], lambda r: r IS NOT NULL) AS versions_after, "
                // The versions that now apply and did not as known: the correcting versions. Empty when the
                // change comes from earlier events of the period (a changed counter) rather than from this event's rules.
                + "list_filter([CASE WHEN " + ref.formatted("x.corrected_price") + " IS DISTINCT FROM " + ref.formatted("x.price")
                + " THEN " + ref.formatted("x.corrected_price") + " END, CASE WHEN " + ref.formatted("x.corrected_discount")
                + " IS DISTINCT FROM " + ref.formatted("x.discount") + " THEN " + ref.formatted("x.corrected_discount")
                + " END, CASE WHEN " + ref.formatted("x.corrected_entitlement") + " IS DISTINCT FROM " + ref.formatted("x.entitlement")
                + " THEN " + ref.formatted("x.corrected_entitlement") + " END], lambda r: r IS NOT NULL) AS correcting_versions, "
                + "a.decisions IS NOT NULL AS decided, "
                + "x.corrected_outcome IS NOT NULL AND x.corrected_amount IS NOT NULL "
                + "AND (x.corrected_outcome = 'denied' OR x.corrected_status = 'RATED') AS correctable, "
                + "(x.corrected_outcome IS DISTINCT FROM x.expected_outcome OR x.corrected_amount IS DISTINCT FROM x.expected_amount) AS retroactive, "
                + "(" + ref.formatted("x.corrected_price") + " IS DISTINCT FROM " + ref.formatted("x.price") + " OR "
                + ref.formatted("x.corrected_discount") + " IS DISTINCT FROM " + ref.formatted("x.discount") + " OR "
                + ref.formatted("x.corrected_entitlement") + " IS DISTINCT FROM " + ref.formatted("x.entitlement") + ") AS version_changed, "
                + "(a.decisions > 1 OR a.first_outcome IS DISTINCT FROM x.corrected_outcome OR a.first_amount <> x.corrected_amount "
                + "OR (x.corrected_outcome = 'charged' AND a.first_currency IS DISTINCT FROM x.corrected_currency)) AS books_differ "
                + "FROM " + expectedTable + " x LEFT JOIN agg a ON a.event_id = x.event_id) "
                + ", cmp AS (SELECT *, decided AND correctable AND books_differ AS disagreeing, "
                + "decided AND correctable AND books_differ AND " + (scope == Scope.ALL ? "TRUE" : "retroactive") + " AS changes FROM ev) "
                // An event whose outcome flips changes the period's counter for every later event. Those keep their old
                // decided_at, so an audit's as-known view of them would now count the flipped event under the old rules
                // (a spurious OUTCOME_MISMATCH). They are restated at the cut-off too, with their (unchanged) amount.
                // Only the counter matters: whether the as-known view counted the event (not denied; a conflicting
                // entitlement counts) and whether it counts now. A live system's wrong outcome alone moves no counter.
                + ", flips AS (SELECT *, coalesce(bool_or(changes AND ((coalesce(expected_outcome, 'charged') = 'denied') "
                + "<> (coalesce(corrected_outcome, 'charged') = 'denied'))) OVER (PARTITION BY customer_id, meter, billing_period "
                + "ORDER BY event_time, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS after_flip FROM cmp) "
                + "SELECT * EXCLUDE (first_outcome, expected_outcome, after_flip), "
                + "decided AND correctable AND NOT changes AND after_flip AS restated, "
                + "changes OR (decided AND correctable AND after_flip) AS in_scope FROM flips");
        String zero = "CAST(0 AS DECIMAL(38,9))";
        duck.execute("CREATE OR REPLACE TABLE " + prefix + "_contrib AS "
                + "SELECT e.day, e.customer_id, e.meter, e.billing_period, d.invoice_id, d.currency, e.event_id, d.decision_id, "
                + "CAST(d.amount AS DECIMAL(38,9)) AS amount_before, " + zero + " AS amount_after, e.versions_before, e.versions_after, "
                + "e.correcting_versions, e.changes AS changed FROM " + prefix + "_events e JOIN " + decisionsTable + " d ON d.event_id = e.event_id WHERE e.in_scope "
                + "UNION ALL "
                + "SELECT e.day, e.customer_id, e.meter, e.billing_period, e.first_invoice_id, e.corrected_currency, e.event_id, NULL, "
                + zero + ", CAST(e.corrected_amount AS DECIMAL(38,9)), e.versions_before, e.versions_after, e.correcting_versions, e.changes "
                + "FROM " + prefix + "_events e WHERE e.in_scope");
    }

    public Counts counts(String prefix) {
        Map<String, Object> r = duck.queryRows("SELECT count(*) AS n, count(*) FILTER (WHERE NOT decided) AS nd, "
                + "count(*) FILTER (WHERE decided AND NOT correctable) AS nc, "
                + "count(*) FILTER (WHERE decided AND correctable AND NOT books_differ) AS ag, "
                + "count(*) FILTER (WHERE disagreeing) AS dis, count(*) FILTER (WHERE decided AND correctable AND retroactive) AS re, "
                + "count(*) FILTER (WHERE changes) AS sc, count(*) FILTER (WHERE restated) AS rs, count(*) FILTER (WHERE disagreeing AND NOT changes) AS os, "
                + "count(*) FILTER (WHERE decided AND correctable AND version_changed AND NOT retroactive) AS vo FROM " + prefix + "_events").get(0);
        return new Counts(l(r, "n"), l(r, "nd"), l(r, "nc"), l(r, "ag"), l(r, "dis"), l(r, "re"), l(r, "sc"), l(r, "rs"), l(r, "os"), l(r, "vo"));
    }

    /**
     * Partial impact lines of some contribution rows (one day's, or all): per line key, the event count, the
     * sums and the lists. Partial lines of disjoint days add up to the lines of all of them ({@link #linesSelect}).
     */
    public static String partSelect(String contribFrom) {
        return "SELECT " + LINE_KEY + ", count(DISTINCT event_id) FILTER (WHERE changed) AS events_affected, "
                + "count(DISTINCT event_id) FILTER (WHERE NOT changed) AS events_restated, count(decision_id) AS original_decisions, "
                + "sum(amount_before) AS amount_before, sum(amount_after) AS amount_after, "
                + "list_distinct(flatten(list(versions_before))) AS versions_before, list_distinct(flatten(list(versions_after))) AS versions_after, "
                + "list_distinct(flatten(list(correcting_versions))) AS correcting_versions, "
                + "list(decision_id) FILTER (WHERE decision_id IS NOT NULL) AS original_decision_ids "
                + "FROM " + contribFrom + " GROUP BY " + LINE_KEY;
    }

    /** The impact lines, one per (customer, meter, billing period, invoice, currency), from partial lines. */
    public static String linesSelect(String partsFrom) {
        return "SELECT " + LINE_KEY + ", CAST(sum(events_affected) AS BIGINT) AS events_affected, "
                + "CAST(sum(events_restated) AS BIGINT) AS events_restated, "
                + "CAST(sum(original_decisions) AS BIGINT) AS original_decisions, "
                + "CAST(sum(amount_before) AS DECIMAL(38,9)) AS amount_before, CAST(sum(amount_after) AS DECIMAL(38,9)) AS amount_after, "
                + "CAST(sum(amount_after) - sum(amount_before) AS DECIMAL(38,9)) AS delta, "
                + "array_to_string(list_sort(list_distinct(flatten(list(versions_before)))), ' ') AS versions_before, "
                + "array_to_string(list_sort(list_distinct(flatten(list(versions_after)))), ' ') AS versions_after, "
                + "array_to_string(list_sort(list_distinct(flatten(list(correcting_versions)))), ' ') AS correcting_versions, "
                + "list_sort(flatten(list(original_decision_ids))) AS original_decision_ids "
                + "FROM " + partsFrom + " GROUP BY " + LINE_KEY;
    }

    public static String linesOrder() {
        return " ORDER BY customer_id, meter, billing_period, invoice_id NULLS FIRST, currency NULLS FIRST";
    }

    /** Per-currency totals of impact lines (a table or a query in parentheses) whose change is in column {@code deltaColumn}. */
    public List<Total> totals(String linesFrom, String deltaColumn) {
        List<Total> out = new ArrayList<>();
        String d = Duck.ident(deltaColumn);
        for (Map<String, Object> r : duck.queryRows("SELECT coalesce(currency, '?') AS cur, count(*) AS n_lines, sum(events_affected) AS n_events, "
                + "sum(amount_before) AS t_before, sum(amount_after) AS t_after, sum(" + d + ") AS t_delta, "
                + "coalesce(sum(" + d + ") FILTER (WHERE " + d + " < 0), 0) AS t_credits, coalesce(sum(" + d + ") FILTER (WHERE " + d + " > 0), 0) AS t_debits "
                + "FROM " + linesFrom + " GROUP BY ALL ORDER BY cur"))
            out.add(new Total((String) r.get("cur"), l(r, "n_lines"), l(r, "n_events"), dec(r, "t_before"), dec(r, "t_after"), dec(r, "t_delta"),
                    dec(r, "t_credits"), dec(r, "t_debits")));
        return out;
    }

    /** The distinct correcting versions over every in-scope event, sorted. */
    public List<String> correctingVersions(String prefix) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT unnest(correcting_versions) AS v FROM " + prefix
                + "_events WHERE in_scope ORDER BY v"))
            out.add((String) r.get("v"));
        return out;
    }

    /**
     * Writes what the day partitions of an apply read: the in-scope events as corrected decisions, and the
     * contribution rows, both sorted by day so that each partition reads only its own row groups.
     */
    public void exportForApply(String prefix, Path dir, String correctionId, Instant asOf) {
        String suffix = correctionId.substring(0, Math.min(12, correctionId.length()));
        duck.execute("COPY (SELECT first_decision_id || '+c" + suffix + "' AS decision_id, event_id, customer_id, meter, "
                + "corrected_outcome AS outcome, CAST(corrected_amount AS DECIMAL(38,9)) AS amount, corrected_currency AS currency, "
                + "corrected_price_policy_id AS price_policy_id, corrected_price_version AS price_version, "
                + "corrected_discount_policy_id AS discount_policy_id, corrected_discount_version AS discount_version, "
                + "corrected_entitlement_policy_id AS entitlement_policy_id, corrected_entitlement_version AS entitlement_version, "
                + Duck.literal(asOf) + " AS decided_at, first_invoice_id AS invoice_id, "
                + "first_decision_id AS original_decision_id, decision_ids AS superseded_decision_ids, "
                + "CAST(amount_before AS DECIMAL(38,9)) AS amount_before, " + Duck.literal(correctionId) + " AS correction_id, "
                + "array_to_string(correcting_versions, ' ') AS correcting_versions, event_time, day "
                + "FROM " + prefix + "_events WHERE in_scope ORDER BY day, event_time, event_id) TO "
                + Duck.literal(dir.resolve("corrections.parquet").toString()) + " (FORMAT parquet, COMPRESSION zstd)");
        duck.execute("COPY (SELECT * FROM " + prefix + "_contrib ORDER BY day, customer_id, meter, event_id, decision_id NULLS LAST) TO "
                + Duck.literal(dir.resolve("contrib.parquet").toString()) + " (FORMAT parquet, COMPRESSION zstd)");
    }

    /** The days (UTC, yyyy-MM-dd) that hold in-scope events, sorted. */
    public List<String> days(String prefix) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT day FROM " + prefix + "_events WHERE in_scope ORDER BY day"))
            out.add((String) r.get("day"));
        return out;
    }

    private static long l(Map<String, Object> r, String k) {
        Object v = r.get(k);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static BigDecimal dec(Map<String, Object> r, String k) {
        Object v = r.get(k);
        return v == null ? BigDecimal.ZERO : (BigDecimal) v;
    }
}
