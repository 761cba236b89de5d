package dev.attest.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Finding;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdRulesTest {
    static final Checks CHECKS = new Checks(Map.of(), null, Map.of(), Map.of(), new Checks.Thresholds(new BigDecimal("0.01"),
            new BigDecimal("0.95"), Map.of("USD", Map.of(MoneyClass.UNBILLED, new BigDecimal("100"), MoneyClass.RETROACTIVE, BigDecimal.TEN))), null);

    @Test
    void eachCrossedThresholdIsACriticalFindingOfItsOwn() {
        List<Finding> fs = ThresholdRules.evaluate(CHECKS, new ThresholdRules.Measures(100, 2, new BigDecimal("0.9"),
                Map.of("USD", Map.of(MoneyClass.UNBILLED, new BigDecimal("100.01"), MoneyClass.RETROACTIVE, new BigDecimal("-10.5")))));
        assertThat(fs).extracting(Finding::code).containsExactly(FindingCode.THRESHOLD_QUARANTINE, FindingCode.THRESHOLD_COVERAGE,
                FindingCode.THRESHOLD_MONEY, FindingCode.THRESHOLD_MONEY);
        assertThat(fs).allMatch(f -> f.severity() == Severity.CRITICAL && f.moneyClass() == null);
        assertThat(fs.get(2).explanation()).startsWith("unbilled money is USD 100.01");
        assertThat(fs.get(3).explanation()).startsWith("retroactive money is USD -10.50");
    }

    @Test
    void atTheLimitNothingIsCrossed() {
        assertThat(ThresholdRules.evaluate(CHECKS, new ThresholdRules.Measures(100, 1, new BigDecimal("0.95"),
                Map.of("USD", Map.of(MoneyClass.UNBILLED, new BigDecimal("100")))))).isEmpty();
        assertThat(ThresholdRules.evaluate(Checks.NONE, new ThresholdRules.Measures(1, 1, BigDecimal.ZERO, Map.of()))).isEmpty();
    }
}
