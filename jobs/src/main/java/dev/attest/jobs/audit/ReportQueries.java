package dev.attest.jobs.audit;

import dev.attest.core.findings.FindingCode;
import dev.attest.io.duck.Duck;
import dev.attest.reports.CodeCount;
import dev.attest.reports.CoverageRow;
import dev.attest.reports.DayCount;
import dev.attest.reports.FindingLifecycle;
import dev.attest.reports.GapCount;
import dev.attest.reports.LifecycleTotals;
import dev.attest.reports.PeriodCount;
import dev.attest.reports.PolicyVersionRow;
import dev.attest.reports.ReportData;
import dev.attest.reports.RiskRow;
import dev.attest.reports.RunSummary;
import dev.attest.reports.TopFinding;
import dev.attest.reports.html.CoverageSection;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The aggregates report.html shows, computed in DuckDB over the run's workspace tables (findings,
 * lineage_gaps, lineage_coverage, policy_versions). Every query has a total order, so equal data gives an
 * equal report.
 */
final class ReportQueries {
    static final int TOP_CUSTOMERS = 20;
    static final String SEVERITY_ORDER = "CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END";

    private final Duck duck;

    ReportQueries(Duck duck) {
        this.duck = duck;
    }

    ReportData data(RunSummary summary, AuditRequest request, Map<String, FindingLifecycle> lifecycle, LifecycleTotals totals,
                    dev.attest.reports.SincePrevious since) {
        return new ReportData(summary, codes(), risk(), days(), policies(), coverage(), gaps(), findings(ReportData.TABLE_LIMIT),
                duck.queryLong("SELECT count(*) FROM findings"), request.asOf(), request.from(), request.to(), lifecycle, totals,
                summary.runId(), periods(), since);
    }

    /** The window's events per billing period name, with the events that have findings and the provisional amounts. */
    List<PeriodCount> periods() {
        List<PeriodCount> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT x.billing_period, count(DISTINCT x.customer_id) AS customers, count(*) AS events, "
                + "count(*) FILTER (WHERE f.event_id IS NOT NULL) AS with_findings, count(*) FILTER (WHERE x.provisional) AS provisional "
                + "FROM expected x LEFT JOIN (SELECT DISTINCT event_id FROM findings WHERE event_id IS NOT NULL) f ON f.event_id = x.event_id "
                + "GROUP BY x.billing_period ORDER BY x.billing_period"))
            out.add(new PeriodCount((String) r.get("billing_period"), num(r.get("customers")), num(r.get("events")),
                    num(r.get("with_findings")), num(r.get("provisional"))));
        return out;
    }

    List<CodeCount> codes() {
        List<CodeCount> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT code, severity, count(*) AS n FROM findings GROUP BY code, severity ORDER BY "
                + SEVERITY_ORDER + ", code"))
            out.add(new CodeCount((String) r.get("code"), (String) r.get("severity"), num(r.get("n"))));
        return out;
    }

    /** The customers with the most at risk in each currency, then one row per currency for all the others. */
    List<RiskRow> risk() {
        List<RiskRow> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("WITH r AS (SELECT coalesce(customer_id, '?') AS customer_id, coalesce(currency, '?') AS currency, "
                + "sum(abs(difference)) AS amount, count(*) AS findings FROM findings WHERE code IN (" + FindingCode.atRiskSqlList() + ") "
                + "AND difference IS NOT NULL GROUP BY ALL), "
                + "k AS (SELECT *, row_number() OVER (PARTITION BY currency ORDER BY amount DESC, customer_id) AS rn FROM r) "
                + "SELECT customer_id, currency, amount, findings, 1 AS customers, 0 AS rest FROM k WHERE rn <= " + TOP_CUSTOMERS
                + " UNION ALL SELECT NULL, currency, sum(amount), sum(findings), count(*), 1 FROM k WHERE rn > " + TOP_CUSTOMERS
                + " GROUP BY currency ORDER BY currency, rest, amount DESC, customer_id"))
            out.add(new RiskRow((String) r.get("customer_id"), (String) r.get("currency"), (BigDecimal) r.get("amount"), num(r.get("findings")),
                    num(r.get("customers"))));
        return out;
    }

    List<DayCount> days() {
        List<DayCount> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT strftime(CAST(coalesce(event_time, decided_at) AT TIME ZONE 'UTC' AS DATE), '%Y-%m-%d') AS day, "
                + "count(*) FILTER (WHERE severity = 'critical') AS c, count(*) FILTER (WHERE severity = 'error') AS e, "
                + "count(*) FILTER (WHERE severity = 'warning') AS w, count(*) FILTER (WHERE severity = 'info') AS i "
                + "FROM findings WHERE coalesce(event_time, decided_at) IS NOT NULL GROUP BY 1 ORDER BY 1"))
            out.add(new DayCount(LocalDate.parse((String) r.get("day")), num(r.get("c")), num(r.get("e")), num(r.get("w")), num(r.get("i"))));
        return out;
    }

    /**
     * Every policy version. A correction is one recorded after another version of its policy whose valid time
     * overlaps it, and recorded once that overlap had begun: it changed what was known about the past. A change
     * recorded before it takes effect (a scheduled switch) is not a correction.
     */
    List<PolicyVersionRow> policies() {
        List<PolicyVersionRow> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT p.meter, p.policy_id, p.kind, p.customer_id, p.version, epoch_ms(p.valid_from) AS vf, "
                + "epoch_ms(p.valid_to) AS vt, epoch_ms(p.recorded_at) AS ra, p.change_ref, EXISTS (SELECT 1 FROM policy_versions o "
                + "WHERE o.policy_id = p.policy_id AND o.version <> p.version AND o.recorded_at < p.recorded_at "
                + "AND o.valid_from < coalesce(p.valid_to, 'infinity'::TIMESTAMPTZ) AND p.valid_from < coalesce(o.valid_to, 'infinity'::TIMESTAMPTZ) "
                + "AND p.recorded_at > greatest(p.valid_from, o.valid_from)) "
                + "AS correction FROM policy_versions p ORDER BY p.meter, p.kind, p.policy_id, p.customer_id NULLS FIRST, p.version"))
            out.add(new PolicyVersionRow((String) r.get("meter"), (String) r.get("policy_id"), (String) r.get("kind"), (String) r.get("customer_id"),
                    ((Number) r.get("version")).intValue(), instant(r.get("vf")), instant(r.get("vt")), instant(r.get("ra")),
                    (String) r.get("change_ref"), Boolean.TRUE.equals(r.get("correction"))));
        return out;
    }

    /** Per customer and meter, the lowest coverage first. */
    List<CoverageRow> coverage() {
        List<CoverageRow> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT coalesce(customer_id, '?') AS customer_id, coalesce(meter, '?') AS meter, "
                + "sum(decisions) AS d, sum(intact) AS i FROM lineage_coverage WHERE breakdown = 'customer_meter_day' GROUP BY ALL HAVING sum(decisions) > 0 "
                + "ORDER BY sum(intact) * 1.0 / sum(decisions), 1, 2 LIMIT " + CoverageSection.ROWS))
            out.add(new CoverageRow((String) r.get("customer_id"), (String) r.get("meter"), num(r.get("d")), num(r.get("i"))));
        return out;
    }

    List<GapCount> gaps() {
        List<GapCount> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT gap, count(*) AS n FROM lineage_gaps GROUP BY ALL ORDER BY gap"))
            out.add(new GapCount((String) r.get("gap"), num(r.get("n"))));
        return out;
    }

    /** The most severe findings first, then the largest differences: what a reader should see before scrolling. */
    List<TopFinding> findings(int limit) {
        List<TopFinding> out = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("SELECT fingerprint, code, severity, event_id, decision_id, customer_id, meter, "
                + "strftime(event_time, '%Y-%m-%dT%H:%M:%SZ') AS event_time, difference, currency, explanation FROM findings "
                + "ORDER BY " + SEVERITY_ORDER + ", abs(difference) DESC NULLS LAST, code, fingerprint, decision_id NULLS FIRST LIMIT " + limit)) {
            out.add(new TopFinding((String) r.get("fingerprint"), (String) r.get("code"), (String) r.get("severity"), (String) r.get("event_id"),
                    (String) r.get("decision_id"), (String) r.get("customer_id"), (String) r.get("meter"), (String) r.get("event_time"),
                    (BigDecimal) r.get("difference"), (String) r.get("currency"), (String) r.get("explanation")));
        }
        return out;
    }

    private static long num(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    private static Instant instant(Object epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(((Number) epochMillis).longValue());
    }
}
