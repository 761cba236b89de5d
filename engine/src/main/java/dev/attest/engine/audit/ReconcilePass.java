package dev.attest.engine.audit;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.rating.Outcome;
import dev.attest.io.arrow.ArrowColumns;
import dev.attest.io.arrow.ArrowQuery;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
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
        // scoped_decisions (built by lineage(), first) holds every decision in scope: those whose event is not there
        // (no event_id, or one that is neither among the unique events nor a conflict) are the ones with no "linked"
        // event, decided in the window. Reusing it saves an anti-join of every decision against every event.
        String decisions = "SELECT d.decision_id, d.event_id, d.customer_id, d.meter, d.outcome, d.amount, d.currency, "
                + "d.price_policy_id, d.price_version, d.discount_policy_id, d.discount_version, d.entitlement_policy_id, "
                + "d.entitlement_version, d.decided_at, d.invoice_id, (q.event_id IS NOT NULL) AS quarantined "
                + "FROM scoped_decisions d "
                + "LEFT JOIN (SELECT DISTINCT " + dev.attest.io.duck.Duck.rawKey("raw", "event_id") + " AS event_id FROM quarantine WHERE input = 'events') q "
                + "ON q.event_id = d.event_id "
                + "WHERE NOT d.linked ORDER BY d.decision_id";
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
        // billing_period: the period (customer's cycle, contracts section 10) of the event, or of decided_at without one.
        String anchor = "coalesce(event_time, decided_at)";
        if (window.hasOwnCycles()) {
            Instant first = null, last = null;
            try (Statement st = conn.createStatement(); var rs = st.executeQuery("SELECT epoch_us(min(" + anchor + ")), epoch_us(max(" + anchor + ")) FROM (" + union + ")")) {
                if (rs.next() && rs.getObject(1) != null) {
                    first = Instant.EPOCH.plus(rs.getLong(1), java.time.temporal.ChronoUnit.MICROS);
                    last = Instant.EPOCH.plus(rs.getLong(2), java.time.temporal.ChronoUnit.MICROS);
                }
            }
            window.writePeriods(dev.attest.io.duck.Duck.wrap(conn), first, last);
        }
        // The order is total (every column breaks ties), so the same inputs give byte-identical outputs.
        exec("CREATE OR REPLACE TABLE findings AS SELECT '" + runId.replace("'", "''") + "' AS run_id, "
                + "substr(sha256(code || '|' || coalesce(event_id, '') || '|' || coalesce(decision_id, '')), 1, 16) AS fingerprint, *, "
                // Qualified: inside the period lookup's subquery a bare customer_id would name the lookup's own column.
                + window.periodName("coalesce(__f.event_time, __f.decided_at)", "__f.customer_id") + " AS billing_period, "
                + LineageGaps.explainCommand(runId, "decision_id", "event_id") + " AS explain "
                + "FROM (" + union + ") __f ORDER BY code, event_id NULLS FIRST, decision_id NULLS FIRST, explanation, "
                + "severity, customer_id, meter, event_time, decided_at, expected_amount, actual_amount, expected_outcome, actual_outcome, "
                + "difference, currency, version_as_known, version_as_corrected, version_applied, invoice_id, money_class, money_amount, money_effect");
    }

    /** Lineage gaps and coverage (contracts section 6): see {@link LineageGaps}. */
    public void lineage() {
        new LineageGaps(dev.attest.io.duck.Duck.wrap(conn), window).build();
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }
}
