package dev.attest.core.checks;

import dev.attest.core.findings.Finding;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.Money;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run-failing thresholds of a checks file (issue 14), as small named rules: each crossed threshold is a
 * finding of its own (THRESHOLD_QUARANTINE, THRESHOLD_COVERAGE, THRESHOLD_MONEY), CRITICAL unless the checks
 * file gives its code another severity, so that it fails the run at any --fail-on.
 */
public final class ThresholdRules {
    private ThresholdRules() {}

    /**
     * What a run measured.
     *
     * @param inputRows   rows read of events and decisions (quarantined ones included)
     * @param quarantined rows quarantined
     * @param coverage    overall lineage coverage (0..1), or null
     * @param money       currency -> class -> the class's money (summed over findings)
     */
    public record Measures(long inputRows, long quarantined, BigDecimal coverage, Map<String, Map<MoneyClass, BigDecimal>> money) {
        public Measures {
            money = money == null ? Map.of() : money;
        }

        /** Quarantined rows / input rows, to 6 decimals; 0 without input rows. */
        public BigDecimal quarantineRate() {
            if (inputRows <= 0) return BigDecimal.ZERO;
            return BigDecimal.valueOf(quarantined).divide(BigDecimal.valueOf(inputRows), 6, RoundingMode.HALF_EVEN);
        }
    }

    /** Every threshold crossed, in a fixed order: quarantine, coverage, then money by currency and class. */
    public static List<Finding> evaluate(Checks checks, Measures m) {
        List<Finding> out = new ArrayList<>();
        quarantine(checks.thresholds().quarantineRateAbove(), m).ifPresent(out::add);
        coverage(checks.thresholds().coverageBelow(), m).ifPresent(out::add);
        checks.thresholds().moneyAbove().forEach((currency, limits) -> limits.forEach((cls, limit) ->
                money(currency, cls, limit, m).ifPresent(out::add)));
        return out.stream().map(f -> f.withSeverity(checks.severities().getOrDefault(f.code(), f.code().severity()))).toList();
    }

    static Optional<Finding> quarantine(BigDecimal limit, Measures m) {
        if (limit == null || m.quarantineRate().compareTo(limit) <= 0) return Optional.empty();
        return Optional.of(finding(FindingCode.THRESHOLD_QUARANTINE, null, limit, m.quarantineRate(),
                m.quarantined() + " of " + m.inputRows() + " input rows were quarantined (rate " + m.quarantineRate().stripTrailingZeros().toPlainString()
                        + "), above the checks file's limit of " + limit.stripTrailingZeros().toPlainString()));
    }

    static Optional<Finding> coverage(BigDecimal floor, Measures m) {
        if (floor == null || m.coverage() == null || m.coverage().compareTo(floor) >= 0) return Optional.empty();
        return Optional.of(finding(FindingCode.THRESHOLD_COVERAGE, null, floor, m.coverage(),
                "lineage coverage is " + m.coverage().round(new MathContext(6)).stripTrailingZeros().toPlainString()
                        + ", below the checks file's floor of " + floor.stripTrailingZeros().toPlainString()));
    }

    /** Retroactive is signed: its absolute value is compared. */
    static Optional<Finding> money(String currency, MoneyClass cls, BigDecimal limit, Measures m) {
        BigDecimal amount = m.money().getOrDefault(currency, Map.of()).getOrDefault(cls, BigDecimal.ZERO);
        if (amount.abs().compareTo(limit) <= 0) return Optional.empty();
        return Optional.of(finding(FindingCode.THRESHOLD_MONEY, currency, limit, amount,
                cls.wire() + " money is " + Money.format(currency, amount) + ", above the checks file's limit of "
                        + Money.format(currency, limit)));
    }

    /** expected_amount holds the limit, actual_amount the measured value, difference their gap. */
    private static Finding finding(FindingCode code, String currency, BigDecimal limit, BigDecimal measured, String why) {
        return new Finding(code, Severity.CRITICAL, null, null, null, null, null, null, limit, measured, null, null,
                measured.subtract(limit), currency, null, null, null, why);
    }
}
