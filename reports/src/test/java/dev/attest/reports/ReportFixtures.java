package dev.attest.reports;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fixed report inputs: a small run with every section filled, and a variant whose every text value is hostile. */
final class ReportFixtures {
    private ReportFixtures() {}

    /** Money by class of the fixture: every class, in class order, with a negative retroactive correction. */
    static Map<String, BigDecimal> money() {
        Map<String, BigDecimal> m = new LinkedHashMap<>();
        m.put("overcharged", new BigDecimal("0.100"));
        m.put("undercharged", new BigDecimal("0.010"));
        m.put("unbilled", new BigDecimal("12.5"));
        m.put("double_charged", BigDecimal.ZERO);
        m.put("charged_without_usage", new BigDecimal("3"));
        m.put("unverified", BigDecimal.ZERO);
        m.put("retroactive", new BigDecimal("-1.255"));
        return m;
    }

    static ReportData small() {
        return data("run-20260310", "price-sms", "cust-1", "sms", "e1", "Charged 1.10 where version 2 gives 1.00", "CR-7", "billing team on it", "ana",
                "USD");
    }

    static ReportData hostile() {
        String h = "<script>alert('x')</script>\"&'\u2028";
        return data(h, h, h, h, h, h, h, h, h, h);
    }

    static ReportData data(String runId, String policy, String customer, String meter, String event, String explanation, String changeRef,
                           String note, String by, String currency) {
        Map<String, Long> findings = new LinkedHashMap<>();
        findings.put("AMOUNT_MISMATCH", 2L);
        findings.put("MISSING_DECISION", 1L);
        findings.put("RETROACTIVE_CORRECTION", 1L);
        findings.put("LATE_DECISION", 0L);
        Map<String, Long> severities = new LinkedHashMap<>();
        severities.put("info", 1L);
        severities.put("warning", 0L);
        severities.put("error", 1L);
        severities.put("critical", 2L);
        Map<String, Long> inputs = new LinkedHashMap<>();
        inputs.put("events", 10L);
        inputs.put("decisions", 9L);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("events", "/data/" + event);
        params.put("as_of", "2026-03-10T00:00:00Z");
        params.put("from", null);
        RunSummary s = new RunSummary(runId, "attest 0.1.0", "2026-03-10T01:00:00Z", "2026-03-10T01:00:05Z", findings, severities, inputs,
                Map.of(currency, new BigDecimal("0.110")), new BigDecimal("0.875000"), params, List.of("note about " + customer), "error", 1, 2,
                Map.of(currency, money()));
        List<CodeCount> codes = List.of(new CodeCount("AMOUNT_MISMATCH", "critical", 2), new CodeCount("MISSING_DECISION", "error", 1),
                new CodeCount("RETROACTIVE_CORRECTION", "info", 1));
        List<RiskRow> risk = List.of(new RiskRow(customer, currency, new BigDecimal("0.100"), 1, 1),
                new RiskRow(null, currency, new BigDecimal("0.01"), 1, 3));
        List<DayCount> days = List.of(new DayCount(LocalDate.parse("2026-01-02"), 1, 1, 0, 0),
                new DayCount(LocalDate.parse("2026-01-05"), 1, 0, 0, 1));
        Instant jan = Instant.parse("2026-01-01T00:00:00Z");
        Instant feb = Instant.parse("2026-02-01T00:00:00Z");
        List<PolicyVersionRow> policies = List.of(
                new PolicyVersionRow(meter, policy, "price", null, 1, jan, feb, Instant.parse("2025-12-01T00:00:00Z"), changeRef, false),
                new PolicyVersionRow(meter, policy, "price", null, 2, feb, null, Instant.parse("2026-01-15T00:00:00Z"), null, false),
                new PolicyVersionRow(meter, policy, "price", null, 3, Instant.parse("2026-01-10T00:00:00Z"), feb,
                        Instant.parse("2026-02-20T00:00:00Z"), changeRef, true),
                new PolicyVersionRow("other", "price-other", "price", customer, 1, jan, null, Instant.parse("2025-12-01T00:00:00Z"), null, false));
        List<CoverageRow> coverage = List.of(new CoverageRow(customer, meter, 8, 7));
        List<GapCount> gaps = List.of(new GapCount("EVENT_WITHOUT_DECISION", 1));
        List<TopFinding> rows = List.of(
                new TopFinding("fp0000000000000a", "AMOUNT_MISMATCH", "critical", event, "d1", customer, meter, "2026-01-02T10:00:00Z",
                        new BigDecimal("0.100000000"), currency, explanation),
                new TopFinding("fp0000000000000b", "AMOUNT_MISMATCH", "critical", "e2", "d2", customer, meter, "2026-01-05T10:00:00Z",
                        new BigDecimal("-0.01"), currency, explanation),
                new TopFinding("fp0000000000000c", "MISSING_DECISION", "error", "e 3", null, customer, meter, "2026-01-02T11:00:00Z", null, null,
                        "event has no decision"),
                new TopFinding("fp0000000000000d", "RETROACTIVE_CORRECTION", "info", null, "d4", customer, meter, null, null, null, explanation));
        Map<String, FindingLifecycle> lifecycle = new LinkedHashMap<>();
        lifecycle.put("fp0000000000000a", new FindingLifecycle("fp0000000000000a", LocalDate.parse("2026-03-01"), "run-1", 9, 10,
                FindingStatus.ACKNOWLEDGED, null, note, by));
        lifecycle.put("fp0000000000000b", new FindingLifecycle("fp0000000000000b", LocalDate.parse("2026-03-08"), "run-8", 2, 3,
                FindingStatus.ACCEPTED, LocalDate.parse("2026-03-31"), note, null));
        lifecycle.put("fp0000000000000c", new FindingLifecycle("fp0000000000000c", LocalDate.parse("2026-03-10"), runId, 0, 1,
                FindingStatus.NEW, null, null, null));
        lifecycle.put("fp0000000000000d", new FindingLifecycle("fp0000000000000d", LocalDate.parse("2026-03-01"), "run-1", 9, 10,
                FindingStatus.ACCEPTANCE_EXPIRED, LocalDate.parse("2026-03-05"), note, by));
        return new ReportData(s, codes, risk, days, policies, coverage, gaps, rows, 4, Instant.parse("2026-03-10T00:00:00Z"), jan,
                Instant.parse("2026-03-01T00:00:00Z"), lifecycle, new LifecycleTotals(1, 0, 1, 1, 1, 1), runId,
                // A UTC-month customer (2026-01-01, 2026-02-01) beside one anchored on the 15th (2026-01-15, 2026-02-15).
                List.of(new PeriodCount("2026-01-01", 3, 120, 4, 0), new PeriodCount("2026-01-15", 1, 40, 1, 0),
                        new PeriodCount("2026-02-01", 3, 90, 0, 0), new PeriodCount("2026-02-15", 1, 12, 0, 12)),
                // The previous run of the same scope reported a, b, d and an AMOUNT_MISMATCH that is gone; c is new.
                new SincePrevious("run-9", Instant.parse("2026-03-09T00:00:00Z"), 1, 1, 3,
                        List.of(new SincePrevious.CodeChange("AMOUNT_MISMATCH", 0, 1, 2), new SincePrevious.CodeChange("MISSING_DECISION", 1, 0, 0),
                                new SincePrevious.CodeChange("RETROACTIVE_CORRECTION", 0, 0, 1)),
                        List.of(new SincePrevious.Resolved("fp00000000000009", "AMOUNT_MISMATCH"))));
    }
}
