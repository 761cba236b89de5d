package dev.attest.app;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import dev.attest.io.duck.Duck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The yardstick of issue 12: a hand-written DuckDB re-rate over the same files as the audit, in one session, with
 * nothing but SQL. As-of price version lookup (customer-specific before default, the latest recorded), cumulative
 * graduated tiers per customer, meter and calendar month, a full outer join with the decisions, and three finding
 * codes (MISSING_DECISION, ORPHAN_DECISION, AMOUNT_MISMATCH) written to a Parquet file.
 *
 * <p>A cost baseline, not a reference: it knows unit and graduated prices only (events under other models get no
 * expectation), no discounts, entitlements, knowledge views, quarantine, duplicates, lineage or evidence. It tells
 * what the relational part of a re-rate costs on this machine, so that the audit's own time can be read against it.
 */
final class SqlBaseline {
    private SqlBaseline() {}

    /** Runs the baseline over {@code data}'s events, decisions and the registry; returns its wall time in nanoseconds. */
    static long run(Path data, PolicyRegistry registry, Path scratch) throws java.io.IOException {
        Path out = scratch.resolve("baseline-findings.parquet");
        Files.deleteIfExists(out);
        String events = Duck.literal(data.resolve("events") + "/**/*.parquet");
        String decisions = Duck.literal(data.resolve("decisions") + "/**/*.parquet");
        long t0 = System.nanoTime();
        try (Duck duck = Duck.inMemory()) {
            duck.execute("CREATE TABLE price_tiers (policy_id VARCHAR, version INTEGER, meter VARCHAR, customer_id VARCHAR, "
                    + "valid_from TIMESTAMPTZ, valid_to TIMESTAMPTZ, recorded_at TIMESTAMPTZ, lo DECIMAL(38,9), hi DECIMAL(38,9), "
                    + "unit_price DECIMAL(38,9))");
            List<String> rows = new ArrayList<>();
            for (Policy p : registry.policies()) {
                if (p.kind() != PolicyKind.PRICE) continue;
                for (PolicyVersion v : p.versions()) {
                    List<Tier> tiers = v.rule() instanceof Rule.Graduated g ? g.tiers()
                            : v.rule() instanceof Rule.Unit u ? List.of(new Tier(null, u.unitPrice(), null)) : List.of();
                    java.math.BigDecimal lo = java.math.BigDecimal.ZERO;
                    for (Tier t : tiers) {
                        rows.add(Duck.literal(p.policyId()) + ", " + v.version() + ", " + Duck.literal(p.meter()) + ", "
                                + (p.customerId() == null ? "NULL" : Duck.literal(p.customerId())) + ", " + Duck.literal(v.validFrom())
                                + ", " + (v.validTo() == null ? "NULL" : Duck.literal(v.validTo())) + ", " + Duck.literal(v.recordedAt()) + ", "
                                + lo.toPlainString() + ", " + (t.upTo() == null ? "NULL" : t.upTo().toPlainString()) + ", "
                                + t.unitPrice().toPlainString());
                        if (t.upTo() != null) lo = t.upTo();
                    }
                }
            }
            if (!rows.isEmpty()) duck.execute("INSERT INTO price_tiers VALUES (" + String.join("), (", rows) + ")");
            duck.execute("CREATE TABLE versions AS SELECT DISTINCT policy_id, version, meter, customer_id, valid_from, valid_to, "
                    + "recorded_at FROM price_tiers");
            duck.execute("COPY (WITH e AS (SELECT event_id, customer_id, meter, CAST(quantity AS DECIMAL(38,9)) AS quantity, event_time "
                    + "FROM read_parquet(" + events + ")), "
                    // As-of lookup: the versions valid at the event's time, a customer's own before the default, the latest recorded.
                    + "v AS (SELECT e.*, p.policy_id, p.version FROM e LEFT JOIN versions p ON p.meter = e.meter "
                    + "AND (p.customer_id = e.customer_id OR p.customer_id IS NULL) AND e.event_time >= p.valid_from "
                    + "AND (p.valid_to IS NULL OR e.event_time < p.valid_to) "
                    + "QUALIFY row_number() OVER (PARTITION BY e.event_id ORDER BY p.customer_id IS NULL, p.recorded_at DESC, p.version DESC) = 1), "
                    // Cumulative quantity before each event of its customer, meter and calendar month.
                    + "c AS (SELECT *, sum(quantity) OVER (PARTITION BY customer_id, meter, date_trunc('month', event_time) "
                    + "ORDER BY event_time, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM v), "
                    + "r AS (SELECT c.event_id, round(sum(greatest(0, least(coalesce(c.before, 0) + c.quantity, coalesce(t.hi, 1e20)) "
                    + "- greatest(coalesce(c.before, 0), t.lo)) * t.unit_price), 2) AS expected FROM c LEFT JOIN price_tiers t "
                    + "ON t.policy_id = c.policy_id AND t.version = c.version GROUP BY c.event_id), "
                    + "d AS (SELECT decision_id, event_id, outcome, CAST(amount AS DECIMAL(38,9)) AS amount FROM read_parquet(" + decisions + ")) "
                    + "SELECT code, event_id, decision_id, expected, amount FROM (SELECT CASE WHEN d.decision_id IS NULL THEN 'MISSING_DECISION' "
                    + "WHEN r.event_id IS NULL THEN 'ORPHAN_DECISION' WHEN d.outcome = 'charged' AND r.expected IS NOT NULL "
                    + "AND abs(r.expected - d.amount) > 0.005 THEN 'AMOUNT_MISMATCH' END AS code, coalesce(r.event_id, d.event_id) AS event_id, "
                    + "d.decision_id, r.expected, d.amount FROM r FULL OUTER JOIN d ON d.event_id = r.event_id) WHERE code IS NOT NULL "
                    + "ORDER BY code, event_id, decision_id) TO " + Duck.literal(out.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
        }
        long wall = System.nanoTime() - t0;
        Files.deleteIfExists(out);
        return wall;
    }
}
