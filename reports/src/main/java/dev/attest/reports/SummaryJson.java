package dev.attest.reports;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * summary.json: the keys of contracts section 8 first, then the rest. No wall-clock time: `attest verify`
 * re-runs an audit and compares every output byte for byte; run timing goes to timing.json.
 */
public final class SummaryJson {
    private SummaryJson() {}

    public static Map<String, Object> of(RunSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_id", s.runId());
        m.put("findings", s.findings());
        m.put("severities", s.severities());
        m.put("inputs", s.inputs());
        Map<String, BigDecimal> risk = new LinkedHashMap<>();
        s.amountAtRisk().forEach((k, v) -> risk.put(k, plain(v)));
        m.put("amount_at_risk", risk);
        // Money by class per currency (issue 14): every class of each currency with money, zero included.
        Map<String, Object> money = new LinkedHashMap<>();
        s.money().forEach((cur, byClass) -> {
            Map<String, BigDecimal> c = new LinkedHashMap<>();
            byClass.forEach((k, v) -> c.put(k, plain(v)));
            money.put(cur, c);
        });
        m.put("money", money);
        m.put("coverage", plain(s.coverage()));
        m.put("parameters", s.parameters());
        m.put("fail_on", s.failOn());
        m.put("findings_at_or_above_fail_on", s.findingsAtOrAboveFailOn());
        m.put("exit_status", s.exitStatus());
        m.put("notes", s.notes());
        m.put("program_version", s.programVersion());
        return m;
    }

    static BigDecimal plain(BigDecimal x) {
        if (x == null) return null;
        BigDecimal s = x.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
