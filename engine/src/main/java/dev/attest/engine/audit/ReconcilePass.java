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

    /** The columns of a decision without a linked event, as the link findings read them. */
    enum Unlinked implements ArrowColumns.Column {
        DECISION_ID, EVENT_ID, CUSTOMER_ID, METER, OUTCOME, AMOUNT, CURRENCY, PRICE_POLICY_ID, PRICE_VERSION, DISCOUNT_POLICY_ID,
        DISCOUNT_VERSION, ENTITLEMENT_POLICY_ID, ENTITLEMENT_VERSION, DECIDED_AT, INVOICE_ID, QUARANTINED;
    }

    /** The columns of a conflicting event id. */
    enum Conflict implements ArrowColumns.Column {
        EVENT_ID, CUSTOMER_ID, METER, EVENT_TIME, VARIANTS, ROWS;
    }

    public long linkFindings(String table) throws SQLException {
        // lineage_flagged (built by lineage(), first) holds every decision in scope with a gap: those whose event is not
        // there (no event_id, or one that is neither among the unique events nor a conflict) are the ones with no "linked"
        // event, decided in the window. Reusing it saves an anti-join of every decision against every event.
        String decisions = "SELECT " + ArrowColumns.selectList(Unlinked.class, c -> c == Unlinked.QUARANTINED
                        ? "(q.event_id IS NOT NULL)" : "d." + c.column()) + " "
                + "FROM lineage_flagged d "
                + "LEFT JOIN (SELECT DISTINCT " + dev.attest.io.duck.Duck.rawKey("raw", "event_id") + " AS event_id FROM quarantine WHERE input = 'events') q "
                + "ON q.event_id = d.event_id "
                + "WHERE NOT d.linked ORDER BY d.decision_id";
        String conflicts = "SELECT " + ArrowColumns.selectList(Conflict.class, c -> c == Conflict.ROWS ? "\"rows\"" : c.column())
                + " FROM event_conflicts WHERE " + window.contains("event_time") + " ORDER BY event_id";
        try (DuckDBConnection out = conn.duplicate(); FindingSink sink = new FindingSink(out, allocator, table)) {
            ArrowColumns.Named<Unlinked> u = new ArrowColumns.Named<>(Unlinked.class);
            ArrowQuery.forEachBatch(conn, allocator, decisions, 65_536, root -> {
                u.bind(root);
                for (int i = 0; i < root.getRowCount(); i++) {
                    DecisionRecord d = new DecisionRecord(ArrowColumns.string(u.get(Unlinked.DECISION_ID), i),
                            ArrowColumns.string(u.get(Unlinked.EVENT_ID), i), ArrowColumns.string(u.get(Unlinked.CUSTOMER_ID), i),
                            ArrowColumns.string(u.get(Unlinked.METER), i), Outcome.parse(ArrowColumns.string(u.get(Unlinked.OUTCOME), i)),
                            ArrowColumns.decimal(u.get(Unlinked.AMOUNT), i), ArrowColumns.string(u.get(Unlinked.CURRENCY), i),
                            ArrowColumns.string(u.get(Unlinked.PRICE_POLICY_ID), i), ArrowColumns.integer(u.get(Unlinked.PRICE_VERSION), i),
                            ArrowColumns.string(u.get(Unlinked.DISCOUNT_POLICY_ID), i),
                            ArrowColumns.integer(u.get(Unlinked.DISCOUNT_VERSION), i),
                            ArrowColumns.string(u.get(Unlinked.ENTITLEMENT_POLICY_ID), i),
                            ArrowColumns.integer(u.get(Unlinked.ENTITLEMENT_VERSION), i), ArrowColumns.instant(u.get(Unlinked.DECIDED_AT), i),
                            ArrowColumns.string(u.get(Unlinked.INVOICE_ID), i));
                    if (d.eventId() == null) sink.accept(reconciler.unlinked(d));
                    else if (ArrowColumns.bool(u.get(Unlinked.QUARANTINED), i)) sink.accept(reconciler.orphanOfQuarantined(d));
                    else sink.accept(reconciler.orphan(d));
                }
            });
            ArrowColumns.Named<Conflict> c = new ArrowColumns.Named<>(Conflict.class);
            ArrowQuery.forEachBatch(conn, allocator, conflicts, 65_536, root -> {
                c.bind(root);
                for (int i = 0; i < root.getRowCount(); i++) {
                    sink.accept(reconciler.duplicateEventConflict(ArrowColumns.string(c.get(Conflict.EVENT_ID), i),
                            ArrowColumns.string(c.get(Conflict.CUSTOMER_ID), i), ArrowColumns.string(c.get(Conflict.METER), i),
                            ArrowColumns.instant(c.get(Conflict.EVENT_TIME), i), ArrowColumns.integer(c.get(Conflict.VARIANTS), i),
                            ArrowColumns.integer(c.get(Conflict.ROWS), i)));
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
        exec("CREATE OR REPLACE TABLE findings AS SELECT " + dev.attest.io.duck.Duck.literal(runId) + " AS run_id, "
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
