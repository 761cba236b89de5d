package dev.attest.engine.audit;

import dev.attest.io.duck.Duck;

/**
 * The lineage-gap report of contracts section 6, computed in DuckDB over the staged tables ({@code events},
 * {@code events_unique}, {@code event_conflicts}, {@code decisions}, {@code policy_versions}). It needs no
 * rating output, so the audit and the standalone {@code attest lineage} share it.
 *
 * <p>Scope: the decisions of events in the window, and decisions without a matching event whose decided_at
 * is in the window (as for findings); decisions of a conflicting event are left out (their event is not
 * rated, and DUPLICATE_EVENT_CONFLICT reports it). Each decision is linked to its source row.
 *
 * <p>Gap kinds, one row per broken link:
 * <ul>
 * <li>EVENT_WITHOUT_DECISION: an event in the window has no decision.</li>
 * <li>DECISION_WITHOUT_EVENT: a decision names no event (unlinked) or one that does not exist (orphan).</li>
 * <li>DECISION_WITHOUT_RULE_REF: a charged decision lacks price_policy_id or price_version.</li>
 * <li>RULE_REF_UNRESOLVED: a named price, discount or entitlement reference is not in the registry
 *     (a policy without a version counts).</li>
 * <li>VERSION_WITHOUT_CHANGE_REF: a named version that resolves has no change_ref.</li>
 * <li>CHARGE_WITHOUT_INVOICE: a charged decision of a closed billing period has no invoice_id. A period is
 *     closed when the billing period (of the decision's customer's cycle, contracts section 10: the UTC calendar
 *     month by default) that holds the event's time, or decided_at when there is no event, has ended at or before
 *     the knowledge cut-off (--as-of).</li>
 * </ul>
 * Coverage is the share of decisions in scope with no gap; events without decision are gaps, but not decisions,
 * so they do not lower it. Table {@code lineage_coverage} holds the breakdowns {@code overall}, {@code customer},
 * {@code meter}, {@code day} and {@code customer_meter_day}, each row with its decisions, intact and coverage.
 */
public final class LineageGaps {
    private final Duck duck;
    private final AuditWindow window;

    public LineageGaps(Duck duck, AuditWindow window) {
        this.duck = duck;
        this.window = window;
    }

    /**
     * (Re)creates {@code lineage_gaps} and {@code lineage_coverage}, and the session's temporary
     * {@code scoped_decisions}. That one is a copy of every decision in scope: temporary, so it is never written to
     * the workspace file (measured: 0.75 s per 1M decisions); its row count is {@link #DECISIONS_IN_SCOPE}. Its
     * decisions that are not {@code linked} are exactly those without an event: the reconciliation's link findings.
     */
    public void build() {
        duck.execute("CREATE OR REPLACE TEMP TABLE scoped_decisions AS "
                // Only the columns the gaps, coverage and link findings read: a narrower copy is a faster one.
                + "SELECT d.decision_id, d.event_id, d.customer_id, d.meter, d.outcome, d.price_policy_id, d.price_version, "
                + "d.discount_policy_id, d.discount_version, d.entitlement_policy_id, d.entitlement_version, d.invoice_id, "
                + "d.src_file, d.src_row, d.amount, d.currency, d.decided_at, "
                + "(e.event_id IS NOT NULL) AS linked, coalesce(e.event_time, d.decided_at) AS anchor_time "
                + "FROM decisions d "
                + "LEFT JOIN events_unique e ON e.event_id = d.event_id "
                + "LEFT JOIN event_conflicts c ON c.event_id = d.event_id "
                + "WHERE c.event_id IS NULL AND ((e.event_id IS NOT NULL AND " + window.contains("e.event_time") + ") "
                + "OR (e.event_id IS NULL AND " + window.contains("d.decided_at") + " "
                // An event outside the scan bounds (not read, but found by its id) exists: its decision is no orphan,
                // and it is outside the window, so the decision is not in scope either.
                + "AND NOT EXISTS (SELECT 1 FROM events_elsewhere x WHERE x.event_id = d.event_id)))");
        // The rule references with a problem, one row per kind, with the decision's columns the gaps need: a
        // reference that does not resolve, or resolves to a version without change_ref. Sound references (nearly
        // all, in a healthy system) are never materialised (measured: all of them cost 1.1 s per 10M decisions,
        // and joining them back another second).
        StringBuilder refs = new StringBuilder();
        for (String kind : new String[] {"price", "discount", "entitlement"}) {
            if (!refs.isEmpty()) refs.append(" UNION ALL ");
            refs.append("SELECT d.event_id, d.decision_id, d.customer_id, d.meter, d.anchor_time, d.outcome, ")
                    .append("d.price_policy_id AS d_price_policy_id, d.price_version AS d_price_version, d.src_file, d.src_row, '")
                    .append(kind).append("' AS rule_kind, d.").append(kind)
                    .append("_policy_id AS policy_id, d.").append(kind).append("_version AS version, ")
                    .append("pv.policy_id IS NOT NULL AS resolves, pv.change_ref FROM scoped_decisions d LEFT JOIN policy_versions pv ")
                    .append("ON pv.policy_id = d.").append(kind).append("_policy_id AND pv.version = d.").append(kind).append("_version ")
                    .append("WHERE (d.").append(kind).append("_policy_id IS NOT NULL OR d.").append(kind).append("_version IS NOT NULL) ")
                    .append("AND (pv.policy_id IS NULL OR pv.change_ref IS NULL)");
        }
        duck.execute("CREATE OR REPLACE TEMP TABLE lineage_refs AS " + refs);
        // The billing period of the event (of decided_at without one), in the customer's cycle, ended by the cut-off.
        window.writeBounds(duck);
        String closed = window.inClosedPeriod("d.anchor_time", "d.customer_id");
        String dec = "d.event_id, d.decision_id, d.customer_id, d.meter, CAST(d.anchor_time AT TIME ZONE 'UTC' AS DATE) AS day";
        String src = "d.src_file, d.src_row";
        String noRef = "NULL::VARCHAR AS rule_kind, NULL::VARCHAR AS policy_id, NULL::INTEGER AS version";
        duck.execute("CREATE OR REPLACE TABLE lineage_gaps AS SELECT *, "
                + explainCommand("decision_id", "event_id") + " AS explain FROM ("
                + "SELECT 'EVENT_WITHOUT_DECISION' AS gap, e.event_id, NULL::VARCHAR AS decision_id, e.customer_id, e.meter, "
                + "CAST(e.event_time AT TIME ZONE 'UTC' AS DATE) AS day, " + noRef + ", 'event has no decision' AS detail, "
                + "e.src_file, e.src_row FROM events_unique e "
                + "WHERE " + window.contains("e.event_time") + " AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = e.event_id) "
                + "UNION ALL SELECT 'DECISION_WITHOUT_EVENT', " + dec + ", " + noRef + ", "
                + "CASE WHEN d.event_id IS NULL THEN 'decision names no event' ELSE 'decision names an event that does not exist' END, "
                + src + " FROM scoped_decisions d WHERE NOT d.linked "
                + "UNION ALL SELECT 'DECISION_WITHOUT_RULE_REF', " + dec + ", 'price', d.price_policy_id, d.price_version, "
                + "'charged decision names no price version', " + src + " "
                + "FROM scoped_decisions d WHERE d.outcome = 'charged' AND (d.price_policy_id IS NULL OR d.price_version IS NULL) "
                + "UNION ALL SELECT 'RULE_REF_UNRESOLVED', " + dec + ", d.rule_kind, d.policy_id, d.version, "
                + "d.rule_kind || ' version ' || coalesce(d.policy_id, '?') || '@v' || coalesce(CAST(d.version AS VARCHAR), '?') "
                + "|| ' is not in the registry', " + src + " FROM lineage_refs d "
                + "WHERE NOT d.resolves AND NOT (d.rule_kind = 'price' AND d.outcome = 'charged' "
                + "AND (d.d_price_policy_id IS NULL OR d.d_price_version IS NULL)) "
                + "UNION ALL SELECT 'VERSION_WITHOUT_CHANGE_REF', " + dec + ", d.rule_kind, d.policy_id, d.version, "
                + "d.rule_kind || ' version ' || d.policy_id || '@v' || d.version || ' has no change_ref', " + src + " "
                + "FROM lineage_refs d WHERE d.resolves AND d.change_ref IS NULL "
                + "UNION ALL SELECT 'CHARGE_WITHOUT_INVOICE', " + dec + ", " + noRef + ", "
                + "'charged decision of a closed billing period names no invoice', " + src + " "
                + "FROM scoped_decisions d WHERE d.outcome = 'charged' AND d.invoice_id IS NULL AND " + closed
                + ") ORDER BY gap, event_id NULLS FIRST, decision_id NULLS FIRST, rule_kind NULLS FIRST, policy_id NULLS FIRST, "
                + "version NULLS FIRST, src_file, src_row");
        duck.execute("DROP TABLE IF EXISTS lineage_refs");
        // A decision is identified by its source row: one decision_id delivered with different contents is
        // several decisions (each is checked), and each counts once.
        String intact = "CREATE OR REPLACE TEMP TABLE lineage_intact AS SELECT d.customer_id, d.meter, "
                + "CAST(d.anchor_time AT TIME ZONE 'UTC' AS DATE) AS day, NOT EXISTS (SELECT 1 FROM lineage_gaps g "
                + "WHERE g.decision_id IS NOT NULL AND g.src_file = d.src_file AND g.src_row = d.src_row) AS intact FROM scoped_decisions d";
        duck.execute(intact);
        String agg = "count(*) AS decisions, count(*) FILTER (WHERE intact) AS intact, "
                + "CAST(CASE WHEN count(*) = 0 THEN 1 ELSE round(count(*) FILTER (WHERE intact) / count(*), 6) END AS DECIMAL(10,6)) AS coverage";
        duck.execute("CREATE OR REPLACE TABLE lineage_coverage AS SELECT * FROM ("
                + "SELECT 'overall' AS breakdown, NULL::VARCHAR AS customer_id, NULL::VARCHAR AS meter, NULL::DATE AS day, " + agg
                + " FROM lineage_intact "
                + "UNION ALL SELECT 'customer', customer_id, NULL, NULL, " + agg + " FROM lineage_intact GROUP BY customer_id "
                + "UNION ALL SELECT 'meter', NULL, meter, NULL, " + agg + " FROM lineage_intact GROUP BY meter "
                + "UNION ALL SELECT 'day', NULL, NULL, day, " + agg + " FROM lineage_intact GROUP BY day "
                + "UNION ALL SELECT 'customer_meter_day', customer_id, meter, day, " + agg + " FROM lineage_intact GROUP BY ALL"
                + ") ORDER BY CASE breakdown WHEN 'overall' THEN 0 WHEN 'customer' THEN 1 WHEN 'meter' THEN 2 WHEN 'day' THEN 3 ELSE 4 END, "
                + "customer_id NULLS FIRST, meter NULLS FIRST, day NULLS FIRST");
        duck.execute("DROP TABLE IF EXISTS lineage_intact");
    }

    /**
     * SQL for the command that explains a record, run from inside its run folder:
     * {@code attest explain . --decision ID} (or {@code --event ID} when there is no decision), the id quoted
     * for a POSIX shell when it holds anything but letters, digits and {@code ._:@/-}. The run folder is
     * {@code .}, not its path, so that the outputs do not depend on where the run folder lies.
     */
    public static String explainCommand(String decisionCol, String eventCol) {
        return explainCommand(".", decisionCol, eventCol);
    }

    /**
     * The same for a run named by {@code runRef} (its run id, a plain word): {@code attest explain RUN_ID --decision ID}
     * works from the run folder, the folder that holds it, and the folder above that.
     */
    public static String explainCommand(String runRef, String decisionCol, String eventCol) {
        return Duck.literal("attest explain " + runRef + " ") + " || CASE WHEN " + decisionCol + " IS NOT NULL THEN '--decision ' || " + shellQuoted(decisionCol)
                + " ELSE '--event ' || " + shellQuoted(eventCol) + " END";
    }

    private static String shellQuoted(String col) {
        return "CASE WHEN regexp_full_match(" + col + ", '[A-Za-z0-9._:@/-]+') THEN " + col + " ELSE '''' || replace(" + col
                + ", '''', '''\\''''') || '''' END";
    }

    /** SQL for the number of decisions in scope (each decision's source row once), readable after the session ends. */
    public static final String DECISIONS_IN_SCOPE = "SELECT decisions FROM lineage_coverage WHERE breakdown = 'overall'";

    /** The share of decisions in scope whose whole chain is intact (1 when there are none). */
    public java.math.BigDecimal overallCoverage() {
        return (java.math.BigDecimal) duck.queryValue("SELECT coverage FROM lineage_coverage WHERE breakdown = 'overall'");
    }
}
