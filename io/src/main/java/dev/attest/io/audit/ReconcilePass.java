package dev.attest.io.audit;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.rating.Outcome;
import dev.attest.io.arrow.ArrowColumns;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.duckdb.DuckDBConnection;

/**
 * Findings that need the whole data set rather than one event: decisions without an event (orphan or
 * unlinked, reported when decided_at is in the window) and conflicting duplicate events. Then the final,
 * deterministically ordered findings table with a stable fingerprint per finding, and the lineage gaps.
 */
public final class ReconcilePass {
    private final DuckDBConnection conn;
    private final BufferAllocator allocator;
    private final Reconciler reconciler;
    private final AuditWindow window;

    public ReconcilePass(DuckDBConnection conn, BufferAllocator allocator, Reconciler reconciler, AuditWindow window) {
        this.conn = conn;
        this.allocator = allocator;
        this.reconciler = reconciler;
        this.window = window;
    }

    public long linkFindings(String table) throws SQLException {
        String decisions = "SELECT d.decision_id, d.event_id, d.customer_id, d.meter, d.outcome, d.amount, d.currency, "
                + "d.price_policy_id, d.price_version, d.discount_policy_id, d.discount_version, d.entitlement_policy_id, "
                + "d.entitlement_version, d.decided_at, d.invoice_id, (q.event_id IS NOT NULL) AS quarantined "
                + "FROM decisions d "
                + "LEFT JOIN (SELECT event_id FROM events_unique UNION SELECT event_id FROM event_conflicts) e ON e.event_id = d.event_id "
                + "LEFT JOIN (SELECT DISTINCT json_extract_string(raw, '$.event_id') AS event_id FROM quarantine WHERE input = 'events') q "
                + "ON q.event_id = d.event_id "
                + "WHERE (d.event_id IS NULL OR e.event_id IS NULL) AND " + window.contains("d.decided_at")
                + " ORDER BY d.decision_id";
        String conflicts = "SELECT event_id, customer_id, meter, event_time, variants, \"rows\" FROM event_conflicts WHERE "
                + window.contains("event_time") + " ORDER BY event_id";
        try (DuckDBConnection out = conn.duplicate(); FindingSink sink = new FindingSink(out, allocator, table)) {
            ArrowQuery.forEachBatch(conn, allocator, decisions, 65_536, root -> {
                FieldVector[] v = root.getFieldVectors().toArray(new FieldVector[0]);
                for (int i = 0; i < root.getRowCount(); i++) {
                    DecisionRecord d = new DecisionRecord(ArrowColumns.string(v[0], i), ArrowColumns.string(v[1], i),
                            ArrowColumns.string(v[2], i), ArrowColumns.string(v[3], i), Outcome.parse(ArrowColumns.string(v[4], i)),
                            ArrowColumns.decimal(v[5], i), ArrowColumns.string(v[6], i), ArrowColumns.string(v[7], i),
                            ArrowColumns.integer(v[8], i), ArrowColumns.string(v[9], i), ArrowColumns.integer(v[10], i),
                            ArrowColumns.string(v[11], i), ArrowColumns.integer(v[12], i), ArrowColumns.instant(v[13], i),
                            ArrowColumns.string(v[14], i));
                    if (d.eventId() == null) sink.accept(reconciler.unlinked(d));
                    else if (ArrowColumns.bool(v[15], i)) sink.accept(reconciler.orphanOfQuarantined(d));
                    else sink.accept(reconciler.orphan(d));
                }
            });
            ArrowQuery.forEachBatch(conn, allocator, conflicts, 65_536, root -> {
                FieldVector[] v = root.getFieldVectors().toArray(new FieldVector[0]);
                for (int i = 0; i < root.getRowCount(); i++) {
                    sink.accept(reconciler.duplicateEventConflict(ArrowColumns.string(v[0], i), ArrowColumns.string(v[1], i),
                            ArrowColumns.string(v[2], i), ArrowColumns.instant(v[3], i), ArrowColumns.integer(v[4], i),
                            ArrowColumns.integer(v[5], i)));
                }
            });
            return sink.count();
        }
    }

    /** The findings of the run, in a total order, each with a fingerprint stable across runs. */
    public void finalizeFindings(String runId, String... parts) throws SQLException {
        StringBuilder union = new StringBuilder();
        for (String p : parts) {
            if (!union.isEmpty()) union.append(" UNION ALL ");
            union.append("SELECT * FROM ").append(p);
        }
        exec("CREATE OR REPLACE TABLE findings AS SELECT '" + runId.replace("'", "''") + "' AS run_id, "
                + "substr(sha256(code || '|' || coalesce(event_id, '') || '|' || coalesce(decision_id, '')), 1, 16) AS fingerprint, * "
                + "FROM (" + union + ") ORDER BY code, event_id NULLS FIRST, decision_id NULLS FIRST, explanation");
    }

    /**
     * Lineage gaps (contracts section 6) over the decisions in scope: those of events in the window, and
     * decisions without an event whose decided_at is in the window. A charged decision of a period that is
     * closed at the cut-off must name its invoice.
     */
    public void lineage() throws SQLException {
        exec("CREATE OR REPLACE TABLE scoped_decisions AS "
                + "SELECT d.*, e.event_time, (e.event_id IS NOT NULL) AS linked, coalesce(e.event_time, d.decided_at) AS anchor_time, "
                + "pv.policy_id IS NOT NULL AS ref_resolves, pv.change_ref AS applied_change_ref "
                + "FROM decisions d "
                + "LEFT JOIN events_unique e ON e.event_id = d.event_id "
                + "LEFT JOIN event_conflicts c ON c.event_id = d.event_id "
                + "LEFT JOIN policy_versions pv ON pv.policy_id = d.price_policy_id AND pv.version = d.price_version "
                + "WHERE c.event_id IS NULL AND ((e.event_id IS NOT NULL AND " + window.contains("e.event_time") + ") "
                + "OR (e.event_id IS NULL AND " + window.contains("d.decided_at") + "))");
        String closed = "date_trunc('month', event_time AT TIME ZONE 'UTC') + INTERVAL 1 MONTH <= ("
                + AuditWindow.literal(window.cutoff()) + " AT TIME ZONE 'UTC')";
        exec("CREATE OR REPLACE TABLE lineage_gaps AS "
                + "SELECT 'EVENT_WITHOUT_DECISION' AS gap, event_id, NULL::VARCHAR AS decision_id, customer_id, meter, "
                + "CAST(event_time AT TIME ZONE 'UTC' AS DATE) AS day, NULL::VARCHAR AS policy_id, NULL::INTEGER AS version, "
                + "'event has no decision' AS detail FROM expected WHERE decisions = 0 "
                + "UNION ALL SELECT 'DECISION_WITHOUT_EVENT', event_id, decision_id, customer_id, meter, "
                + "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE), price_policy_id, price_version, "
                + "CASE WHEN event_id IS NULL THEN 'decision names no event' ELSE 'decision names an event that does not exist' END "
                + "FROM scoped_decisions WHERE NOT linked "
                + "UNION ALL SELECT 'DECISION_WITHOUT_RULE_REF', event_id, decision_id, customer_id, meter, "
                + "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE), price_policy_id, price_version, 'charged decision names no price version' "
                + "FROM scoped_decisions WHERE outcome = 'charged' AND (price_policy_id IS NULL OR price_version IS NULL) "
                + "UNION ALL SELECT 'RULE_REF_UNRESOLVED', event_id, decision_id, customer_id, meter, "
                + "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE), price_policy_id, price_version, 'price version is not in the registry' "
                + "FROM scoped_decisions WHERE price_policy_id IS NOT NULL AND price_version IS NOT NULL AND NOT ref_resolves "
                + "UNION ALL SELECT 'VERSION_WITHOUT_CHANGE_REF', event_id, decision_id, customer_id, meter, "
                + "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE), price_policy_id, price_version, 'applied price version has no change_ref' "
                + "FROM scoped_decisions WHERE ref_resolves AND applied_change_ref IS NULL "
                + "UNION ALL SELECT 'CHARGE_WITHOUT_INVOICE', event_id, decision_id, customer_id, meter, "
                + "CAST(anchor_time AT TIME ZONE 'UTC' AS DATE), price_policy_id, price_version, 'charged decision of a closed period names no invoice' "
                + "FROM scoped_decisions WHERE outcome = 'charged' AND linked AND invoice_id IS NULL AND " + closed + " "
                + "ORDER BY gap, event_id NULLS FIRST, decision_id NULLS FIRST");
        exec("CREATE OR REPLACE TABLE lineage_coverage AS "
                + "SELECT d.customer_id, d.meter, CAST(d.anchor_time AT TIME ZONE 'UTC' AS DATE) AS day, count(*) AS decisions, "
                + "count(*) FILTER (WHERE g.decision_id IS NULL) AS intact, "
                + "round(count(*) FILTER (WHERE g.decision_id IS NULL) / count(*), 6) AS coverage "
                + "FROM scoped_decisions d LEFT JOIN (SELECT DISTINCT decision_id FROM lineage_gaps WHERE decision_id IS NOT NULL) g "
                + "ON g.decision_id = d.decision_id GROUP BY ALL ORDER BY ALL");
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }
}
