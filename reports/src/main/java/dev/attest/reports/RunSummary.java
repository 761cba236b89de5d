package dev.attest.reports;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The facts of one audit run that summary.json and report.html show. Maps are expected in a deterministic
 * order (the caller passes sorted or enum-ordered maps).
 *
 * @param findings      code -> count, every code of contracts section 5 (zero included)
 * @param severities    severity -> count, every severity (zero included)
 * @param inputs        input row counts: events, decisions, policy_versions, quarantined, and more
 * @param amountAtRisk  currency -> sum of absolute differences
 * @param coverage      share of decisions in scope whose lineage chain is intact (1 when there are none)
 * @param parameters    the run's parameters as given (window, cut-off, tolerance, ...)
 * @param notes         things a reader must know (DOUBLE columns converted, provisional volume amounts, ...)
 * @param money         currency -> money class (wire name) -> amount, every class of each currency that has money
 *                      (issue 14); empty when no finding moves money
 */
public record RunSummary(String runId, String programVersion, String startedAt, String finishedAt,
                         Map<String, Long> findings, Map<String, Long> severities, Map<String, Long> inputs,
                         Map<String, BigDecimal> amountAtRisk, BigDecimal coverage, Map<String, Object> parameters,
                         List<String> notes, String failOn, int exitStatus, long findingsAtOrAboveFailOn,
                         Map<String, Map<String, BigDecimal>> money) {
    public RunSummary {
        notes = List.copyOf(notes);
        if (money == null) money = Map.of();
    }

    /** Without money by class. */
    public RunSummary(String runId, String programVersion, String startedAt, String finishedAt,
                      Map<String, Long> findings, Map<String, Long> severities, Map<String, Long> inputs,
                      Map<String, BigDecimal> amountAtRisk, BigDecimal coverage, Map<String, Object> parameters,
                      List<String> notes, String failOn, int exitStatus, long findingsAtOrAboveFailOn) {
        this(runId, programVersion, startedAt, finishedAt, findings, severities, inputs, amountAtRisk, coverage, parameters, notes, failOn,
                exitStatus, findingsAtOrAboveFailOn, Map.of());
    }
}
