package dev.attest.reports;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything report.html shows, as small aggregates computed by the caller (in DuckDB). Lists are in the order
 * they are shown; the report adds no ordering of its own beyond grouping, so equal data gives equal bytes.
 *
 * @param findings       the findings listed in the searchable table, at most {@link #TABLE_LIMIT}, in report order
 * @param totalFindings  how many findings the run has (findings.csv has them all)
 * @param asOf           the run's knowledge cut-off: the timeline's "now" and the date ages are counted to
 * @param windowFrom     audit window start, or null; {@code windowTo} likewise
 * @param lifecycle      fingerprint -> lifecycle of each listed finding; empty when no lifecycle store was used
 * @param lifecycleTotals counts per lifecycle status, or null when no lifecycle store was used
 * @param runFolder      how the explain command names this run folder
 * @param periods        the window's events per billing period name (contracts section 10), in period order
 * @param since          this run's findings against the previous run of the same scope; null when no lifecycle store was used
 */
public record ReportData(RunSummary summary, List<CodeCount> codes, List<RiskRow> risk, List<DayCount> days,
                         List<PolicyVersionRow> policies, List<CoverageRow> coverage, List<GapCount> gaps, List<TopFinding> findings,
                         long totalFindings, Instant asOf, Instant windowFrom, Instant windowTo, Map<String, FindingLifecycle> lifecycle,
                         LifecycleTotals lifecycleTotals, String runFolder, List<PeriodCount> periods, SincePrevious since) {
    /** Rows the findings table holds at most: a browser stays responsive, and the CSV has the rest. */
    public static final int TABLE_LIMIT = 5_000;

    public ReportData {
        if (summary == null || asOf == null) throw new IllegalArgumentException("summary and as-of are required");
        codes = List.copyOf(codes);
        risk = List.copyOf(risk);
        days = List.copyOf(days);
        policies = List.copyOf(policies);
        coverage = List.copyOf(coverage);
        gaps = List.copyOf(gaps);
        findings = List.copyOf(findings);
        lifecycle = Map.copyOf(lifecycle);
        if (findings.size() > TABLE_LIMIT) throw new IllegalArgumentException("at most " + TABLE_LIMIT + " findings in the table");
        if (totalFindings < findings.size()) throw new IllegalArgumentException("total findings < findings listed");
        if (runFolder == null || runFolder.isBlank()) runFolder = summary.runId();
        periods = periods == null ? List.of() : List.copyOf(periods);
    }

    /** Without the comparison with the previous run. */
    public ReportData(RunSummary summary, List<CodeCount> codes, List<RiskRow> risk, List<DayCount> days,
                      List<PolicyVersionRow> policies, List<CoverageRow> coverage, List<GapCount> gaps, List<TopFinding> findings,
                      long totalFindings, Instant asOf, Instant windowFrom, Instant windowTo, Map<String, FindingLifecycle> lifecycle,
                      LifecycleTotals lifecycleTotals, String runFolder, List<PeriodCount> periods) {
        this(summary, codes, risk, days, policies, coverage, gaps, findings, totalFindings, asOf, windowFrom, windowTo, lifecycle,
                lifecycleTotals, runFolder, periods, null);
    }

    /** Without the per-period view. */
    public ReportData(RunSummary summary, List<CodeCount> codes, List<RiskRow> risk, List<DayCount> days,
                      List<PolicyVersionRow> policies, List<CoverageRow> coverage, List<GapCount> gaps, List<TopFinding> findings,
                      long totalFindings, Instant asOf, Instant windowFrom, Instant windowTo, Map<String, FindingLifecycle> lifecycle,
                      LifecycleTotals lifecycleTotals, String runFolder) {
        this(summary, codes, risk, days, policies, coverage, gaps, findings, totalFindings, asOf, windowFrom, windowTo, lifecycle,
                lifecycleTotals, runFolder, List.of(), null);
    }
}
