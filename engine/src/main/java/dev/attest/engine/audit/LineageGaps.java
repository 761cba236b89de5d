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

    /** The rule kinds a decision references, each with its policy_id and version columns. */
    private static final String[] KINDS = {"price", "discount", "entitlement"};

    /**
     * (Re)creates {@code lineage_gaps} and {@code lineage_coverage}, and the session's temporary {@code lineage_flagged}:
     * the decisions in scope that have at least one gap, with a flag per gap kind. Decisions without an event are among
     * them ({@code NOT linked}): exactly the reconciliation's link findings.
     *
     * <p>Every decision in scope is joined with its event and its three rule references in one streaming pass per use,
     * and nothing of that size is ever materialised: over most of the events one grouped pass keeps the flagged decisions
     * (few, in a healthy system) and counts the others per customer, meter and day ({@link #flaggedAndCounted}); for a
     * small window one pass keeps the flagged decisions and a lighter one (no rule references) counts. The other
     * breakdowns are sums of those counts.
     * Measured at 10M decisions under a 700 MB memory cap: a temporary copy of every decision in scope took 705 s of the
     * step's 773 s, spilling gigabytes; at 100M under 6 GB it ran out of memory.
     */
    public void build() {
        // Every join here has the narrow side (an event's id and time) on its right, as the side to hash. DuckDB's
        // optimizer otherwise swaps sides by estimated row counts alone, hashing the decisions with every column the gaps
        // read: at 10M events under 600 MB each pass spilled about 550 MB and took 1.2 times as long.
        duck.withoutOptimizer(BUILD_SIDE_RULE, this::buildGaps);
    }

    /** DuckDB's optimizer rule that picks a join's hashed side by estimated row counts. */
    static final String BUILD_SIDE_RULE = "build_side_probe_side";

    private void buildGaps() {
        // The billing period of the event (of decided_at without one), in the customer's cycle, ended by the cut-off.
        window.writeBounds(duck);
        long events = duck.queryLong("SELECT count(*) FROM events");
        int passes = passes(Math.max(duck.queryLong("SELECT count(*) FROM decisions"), events));
        wholeJoin = wholeJoin(events);
        String anyGap = "(g_without_event OR g_without_rule_ref OR g_charge_without_invoice"
                + java.util.Arrays.stream(KINDS).map(k -> " OR g_" + k + "_unresolved OR g_" + k + "_without_change_ref")
                        .collect(java.util.stream.Collectors.joining()) + ")";
        if (wholeJoin) flaggedAndCounted(anyGap, passes);
        else
            for (int k = 0; k < passes; k++)
                duck.execute((k == 0 ? "CREATE OR REPLACE TEMP TABLE lineage_flagged AS " : "INSERT INTO lineage_flagged ") + "SELECT * FROM ("
                        + flaggedDecisions(part("d.event_id", k, passes)) + ") WHERE " + anyGap);
        // Events in the window without any decision, likewise by part of event_id (an anti-join with every decision).
        for (int k = 0; k < passes; k++)
            duck.execute((k == 0 ? "CREATE OR REPLACE TEMP TABLE lineage_undecided AS " : "INSERT INTO lineage_undecided ")
                    + "SELECT e.event_id, e.customer_id, e.meter, e.event_time, e.src_file, e.src_row FROM events_unique e WHERE "
                    + window.contains("e.event_time") + part("e.event_id", k, passes) + " AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.event_id = e.event_id"
                    + part("x.event_id", k, passes) + ")");
        String dec = "d.event_id, d.decision_id, d.customer_id, d.meter, CAST(d.anchor_time AT TIME ZONE 'UTC' AS DATE) AS day";
        String src = "d.src_file, d.src_row";
        String noRef = "NULL::VARCHAR AS rule_kind, NULL::VARCHAR AS policy_id, NULL::INTEGER AS version";
        StringBuilder refGaps = new StringBuilder();
        for (String k : KINDS) {
            refGaps.append(" UNION ALL SELECT 'RULE_REF_UNRESOLVED', ").append(dec).append(", '").append(k).append("', d.").append(k)
                    .append("_policy_id, d.").append(k).append("_version, '").append(k).append(" version ' || coalesce(d.").append(k)
                    .append("_policy_id, '?') || '@v' || coalesce(CAST(d.").append(k).append("_version AS VARCHAR), '?') ")
                    .append("|| ' is not in the registry', ").append(src).append(" FROM lineage_flagged d WHERE d.g_").append(k).append("_unresolved");
            refGaps.append(" UNION ALL SELECT 'VERSION_WITHOUT_CHANGE_REF', ").append(dec).append(", '").append(k).append("', d.").append(k)
                    .append("_policy_id, d.").append(k).append("_version, '").append(k).append(" version ' || d.").append(k)
                    .append("_policy_id || '@v' || d.").append(k).append("_version || ' has no change_ref', ").append(src)
                    .append(" FROM lineage_flagged d WHERE d.g_").append(k).append("_without_change_ref");
        }
        duck.execute("CREATE OR REPLACE TABLE lineage_gaps AS SELECT *, "
                + explainCommand("decision_id", "event_id") + " AS explain FROM ("
                + "SELECT 'EVENT_WITHOUT_DECISION' AS gap, e.event_id, NULL::VARCHAR AS decision_id, e.customer_id, e.meter, "
                + "CAST(e.event_time AT TIME ZONE 'UTC' AS DATE) AS day, " + noRef + ", 'event has no decision' AS detail, "
                + "e.src_file, e.src_row FROM lineage_undecided e "
                + "UNION ALL SELECT 'DECISION_WITHOUT_EVENT', " + dec + ", " + noRef + ", "
                + "CASE WHEN d.event_id IS NULL THEN 'decision names no event' ELSE 'decision names an event that does not exist' END, "
                + src + " FROM lineage_flagged d WHERE d.g_without_event "
                + "UNION ALL SELECT 'DECISION_WITHOUT_RULE_REF', " + dec + ", 'price', d.price_policy_id, d.price_version, "
                + "'charged decision names no price version', " + src + " FROM lineage_flagged d WHERE d.g_without_rule_ref"
                + refGaps
                + " UNION ALL SELECT 'CHARGE_WITHOUT_INVOICE', " + dec + ", " + noRef + ", "
                + "'charged decision of a closed billing period names no invoice', " + src + " FROM lineage_flagged d WHERE d.g_charge_without_invoice"
                + ") ORDER BY gap, event_id NULLS FIRST, decision_id NULLS FIRST, rule_kind NULLS FIRST, policy_id NULLS FIRST, "
                + "version NULLS FIRST, src_file, src_row");
        // A decision is identified by its source row: one decision_id delivered with different contents is several
        // decisions (each is checked), and each counts once; it is intact when none of its gaps is there. The counting pass
        // reads only the columns it groups by (no rule reference joined, no flag computed): intact is the count less the
        // flagged decisions of the group, which lineage_flagged already holds.
        String day = "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE) AS day";
        for (int k = 0; !wholeJoin && k < passes; k++) // (the whole join counted them with the flagged decisions)
            duck.execute((k == 0 ? "CREATE OR REPLACE TEMP TABLE lineage_counts AS " : "INSERT INTO lineage_counts ") + "SELECT customer_id, meter, "
                    + day + ", count(*) AS decisions FROM (" + scoped("d.customer_id, d.meter, coalesce(e.event_time, d.decided_at) AS anchor_time",
                    part("d.event_id", k, passes)) + ") GROUP BY ALL");
        duck.execute("CREATE OR REPLACE TEMP TABLE lineage_cmd AS SELECT a.customer_id, a.meter, a.day, a.decisions, "
                + "a.decisions - coalesce(f.flagged, 0) AS intact FROM (SELECT customer_id, meter, day, CAST(sum(decisions) AS BIGINT) AS decisions "
                + "FROM lineage_counts GROUP BY ALL) a "
                + "LEFT JOIN (SELECT customer_id, meter, " + day + ", count(*) AS flagged FROM lineage_flagged GROUP BY ALL) f "
                + "ON f.customer_id IS NOT DISTINCT FROM a.customer_id AND f.meter IS NOT DISTINCT FROM a.meter AND f.day IS NOT DISTINCT FROM a.day");
        String agg = "CAST(coalesce(sum(decisions), 0) AS BIGINT) AS decisions, CAST(coalesce(sum(intact), 0) AS BIGINT) AS intact, "
                + "CAST(CASE WHEN coalesce(sum(decisions), 0) = 0 THEN 1 ELSE round(CAST(sum(intact) AS BIGINT) / CAST(sum(decisions) AS BIGINT), 6) END "
                + "AS DECIMAL(10,6)) AS coverage";
        duck.execute("CREATE OR REPLACE TABLE lineage_coverage AS SELECT * FROM ("
                + "SELECT 'overall' AS breakdown, NULL::VARCHAR AS customer_id, NULL::VARCHAR AS meter, NULL::DATE AS day, " + agg
                + " FROM lineage_cmd "
                + "UNION ALL SELECT 'customer', customer_id, NULL, NULL, " + agg + " FROM lineage_cmd GROUP BY customer_id "
                + "UNION ALL SELECT 'meter', NULL, meter, NULL, " + agg + " FROM lineage_cmd GROUP BY meter "
                + "UNION ALL SELECT 'day', NULL, NULL, day, " + agg + " FROM lineage_cmd GROUP BY day "
                + "UNION ALL SELECT 'customer_meter_day', customer_id, meter, day, " + agg + " FROM lineage_cmd GROUP BY ALL"
                + ") ORDER BY CASE breakdown WHEN 'overall' THEN 0 WHEN 'customer' THEN 1 WHEN 'meter' THEN 2 WHEN 'day' THEN 3 ELSE 4 END, "
                + "customer_id NULLS FIRST, meter NULLS FIRST, day NULLS FIRST");
        duck.execute("DROP TABLE IF EXISTS lineage_cmd");
        duck.execute("DROP TABLE IF EXISTS lineage_counts");
        duck.execute("DROP TABLE IF EXISTS lineage_undecided");
    }

    /**
     * Tables {@code lineage_flagged} and {@code lineage_counts} from one join of the decisions with their events (per part),
     * where they took two: its rows are grouped, an intact decision into the one row of its customer, meter and day, a flagged
     * decision into a row of its own (keyed by its source row, which identifies a decision) that keeps the whole row as a
     * struct. The flagged decisions are those structs unnested, the counts the groups' sums. Measured at 10M events: the two
     * passes 3.1 s and 2.4 s, this one about 3.5 s. (Keeping the events without a decision in the same join, a full join
     * instead of the separate anti-join of 1.4 s, made it 7.6 s.)
     */
    private void flaggedAndCounted(String anyGap, int passes) {
        String own = "CASE WHEN __gap THEN ";
        for (int k = 0; k < passes; k++)
            duck.execute((k == 0 ? "CREATE OR REPLACE TEMP TABLE lineage_grouped AS " : "INSERT INTO lineage_grouped ")
                    + "SELECT customer_id, meter, CAST(anchor_time AT TIME ZONE 'UTC' AS DATE) AS day, __gap, " + own + "src_file END AS __file, "
                    + own + "src_row END AS __row, count(*) AS n, any_value(" + own + "f END) AS __r FROM (SELECT f.*, f, " + anyGap
                    + " AS __gap FROM (" + flaggedDecisions(part("d.event_id", k, passes)) + ") f) GROUP BY ALL");
        duck.execute("CREATE OR REPLACE TEMP TABLE lineage_flagged AS SELECT unnest(__r) FROM lineage_grouped WHERE __gap");
        duck.execute("CREATE OR REPLACE TEMP TABLE lineage_counts AS SELECT customer_id, meter, day, CAST(sum(n) AS BIGINT) AS decisions "
                + "FROM lineage_grouped GROUP BY ALL");
        duck.execute("DROP TABLE lineage_grouped");
    }

    /**
     * SQL: every decision in scope, with its event's link and one flag per gap kind. Scope: the decisions of events in the
     * window, and decisions without a matching event whose decided_at is in the window; decisions of a conflicting event
     * are left out.
     */
    private String flaggedDecisions(String part) {
        StringBuilder refs = new StringBuilder(), joins = new StringBuilder();
        for (String k : KINDS) {
            String pv = "__pv_" + k;
            joins.append(" LEFT JOIN policy_versions ").append(pv).append(" ON ").append(pv).append(".policy_id = s.").append(k)
                    .append("_policy_id AND ").append(pv).append(".version = s.").append(k).append("_version");
            String named = "(s." + k + "_policy_id IS NOT NULL OR s." + k + "_version IS NOT NULL)";
            // A charged decision without a price reference is DECISION_WITHOUT_RULE_REF, not an unresolved price as well.
            String missingPrice = k.equals("price") ? " AND NOT (s.outcome = 'charged' AND (s.price_policy_id IS NULL OR s.price_version IS NULL))" : "";
            refs.append(", ").append(flag(named + " AND " + pv + ".policy_id IS NULL" + missingPrice)).append(" AS g_").append(k).append("_unresolved");
            refs.append(", ").append(flag(named + " AND " + pv + ".policy_id IS NOT NULL AND " + pv + ".change_ref IS NULL"))
                    .append(" AS g_").append(k).append("_without_change_ref");
        }
        String scoped = scoped("d.decision_id, d.event_id, d.customer_id, d.meter, d.outcome, d.price_policy_id, d.price_version, "
                + "d.discount_policy_id, d.discount_version, d.entitlement_policy_id, d.entitlement_version, d.invoice_id, "
                + "d.src_file, d.src_row, d.amount, d.currency, d.decided_at, "
                + "(e.event_id IS NOT NULL) AS linked, coalesce(e.event_time, d.decided_at) AS anchor_time", part);
        return "SELECT s.*, NOT s.linked AS g_without_event, "
                + flag("s.outcome = 'charged' AND (s.price_policy_id IS NULL OR s.price_version IS NULL)") + " AS g_without_rule_ref, "
                + flag("s.outcome = 'charged' AND s.invoice_id IS NULL AND " + window.inClosedPeriod("s.anchor_time"))
                + " AS g_charge_without_invoice" + refs + " FROM (" + scoped + ") s" + window.boundsJoin("s.customer_id") + joins;
    }

    /**
     * SQL: {@code columns} of every decision in scope ({@code d}) beside its event ({@code e}, null without one): the decisions
     * of events in the window, and decisions without a matching event whose decided_at is in the window; decisions of a
     * conflicting event are left out.
     */
    private String scoped(String columns, String part) {
        String conflict = " LEFT JOIN event_conflicts c ON c.event_id = d.event_id";
        String eventPart = part.replace("d.event_id", "x.event_id");
        if (wholeJoin)
            // One left join of every decision with every event: an event in the window puts its decisions in scope, no
            // event (nor one found outside the scan bounds) puts a decision decided in the window in scope as an orphan.
            return "SELECT " + columns + " FROM (SELECT * FROM decisions d WHERE TRUE" + part + ") d "
                    + "LEFT JOIN (SELECT * FROM events_unique x WHERE TRUE" + eventPart + ") e ON e.event_id = d.event_id" + conflict
                    + " LEFT JOIN events_elsewhere w ON w.event_id = d.event_id WHERE c.event_id IS NULL AND CASE WHEN e.event_id IS NOT NULL "
                    + "THEN " + window.contains("e.event_time") + " ELSE " + window.contains("d.decided_at") + " AND w.event_id IS NULL END";
        // Otherwise two parts, so that each filters before it joins: a window's events are a small build side for all decisions,
        // and only the decisions decided in the window are looked up as orphans. One left join filtered afterwards read
        // every decision beside every event first (a one-day window spent 12 s here over a month of inputs).
        // Conflicting events and events found outside the scan bounds are left joins on tables of unique ids, not NOT EXISTS:
        // DuckDB turned the correlated subquery into a delim join that materialised the whole join first (at 10M events,
        // about 500 MB spilled into the work folder and twice the time).
        return "SELECT " + columns + " FROM (SELECT * FROM decisions d WHERE TRUE" + part + ") d "
                + "JOIN (SELECT * FROM events_unique x WHERE " + window.contains("x.event_time") + eventPart + ") e ON e.event_id = d.event_id"
                + conflict + " WHERE c.event_id IS NULL"
                + " UNION ALL SELECT " + columns + " FROM (SELECT * FROM decisions d WHERE " + window.contains("d.decided_at") + part + ") d "
                + "LEFT JOIN (SELECT * FROM events_unique x WHERE TRUE" + eventPart + ") e ON e.event_id = d.event_id" + conflict
                // An event outside the scan bounds (not read, but found by its id) exists: its decision is no orphan,
                // and it is outside the window, so the decision is not in scope either.
                + " LEFT JOIN events_elsewhere w ON w.event_id = d.event_id WHERE e.event_id IS NULL AND c.event_id IS NULL AND w.event_id IS NULL";
    }

    /**
     * System property: {@code whole} or {@code split}, the form of the decisions' join with their events instead of the one
     * chosen by the window's share of the events (both give the same rows; for tests and measurements).
     */
    public static final String JOIN_PROPERTY = "attest.lineage.join";

    /** Whether {@link #scoped} joins every decision with every event once, rather than in two parts (see there). */
    private boolean wholeJoin;

    /**
     * One join when the window holds at least half of the events read: the two parts then each join nearly every decision
     * with nearly every event (at 10M events over the whole window, lineage took 7.8 s in two parts, 4.8 s in one).
     * Two parts when the window is a small share (a day's audit over a month read): its events are a small table to hash.
     */
    private boolean wholeJoin(long events) {
        String forced = System.getProperty(JOIN_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            if (forced.equals("whole")) return true;
            if (forced.equals("split")) return false;
            throw new IllegalArgumentException("-D" + JOIN_PROPERTY + " must be whole or split, got '" + forced + "'");
        }
        return events == 0 || 2 * duck.queryLong("SELECT count(*) FROM events x WHERE " + window.contains("x.event_time")) >= events;
    }

    /** System property: decisions per lineage pass, instead of the number derived from DuckDB's memory limit. */
    public static final String PASS_ROWS_PROPERTY = "attest.lineage.passRows";

    /** Rows of the join's build side per GiB of DuckDB memory: a pass's hash tables fit in memory, unspilled. */
    static final long ROWS_PER_GIB = 8_000_000;

    /**
     * How many passes split the decisions and events by a hash of event_id, for a join whose larger side has {@code rows}
     * rows: one while the join fits in DuckDB's memory; more beyond, each joining a part of the events with the same part
     * of the decisions (at 100M events under 6 GB one join spilled about 15 GB to the workspace; each part's hash table
     * now fits). The rating's split of the decisions sizes its join alike.
     */
    static int passes(long rows) {
        long perPass = Long.getLong(PASS_ROWS_PROPERTY, Math.max(1_000_000, ROWS_PER_GIB * Duck.memoryLimitBytes() / (1L << 30)));
        if (perPass < 1) throw new IllegalArgumentException("-D" + PASS_ROWS_PROPERTY + " must be >= 1");
        return (int) Math.max(1, Math.min(256, (rows + perPass - 1) / perPass));
    }

    /** SQL: " AND" the row's part of event_id is {@code k} of {@code n} (empty for one part; a null id falls in part 0). */
    static String part(String eventIdColumn, int k, int n) {
        if (n == 1) return "";
        return " AND coalesce(hash(" + eventIdColumn + ") % " + n + ", 0) = " + k;
    }

    /** A gap's condition as a flag: unknown (a null in it) is no gap, as it was when the condition filtered rows. */
    private static String flag(String condition) {
        return "coalesce(" + condition + ", false)";
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
