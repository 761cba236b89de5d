package dev.attest.io.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.checks.Checks;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.MoneyClass;
import dev.attest.core.findings.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChecksLoaderTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aGoodYamlFileGivesEveryCheck() throws Exception {
        Path f = write("checks.yaml", """
                fail_on: warning
                severity:
                  LATE_DECISION: error
                  rounding_difference: info
                tolerance:
                  default: 0.01
                  currency: {usd: "0.05", JPY: 1}
                  meter: {api_calls: 0.10}
                thresholds:
                  quarantine_rate_above: 0.01
                  coverage_below: 0.95
                  money_above:
                    USD: {overcharged: 100, double_charged: 0}
                """);
        Checks c = ChecksLoader.load(f.toString());
        assertThat(c.failOn()).isEqualTo(Severity.WARNING);
        assertThat(c.severities()).containsEntry(FindingCode.LATE_DECISION, Severity.ERROR).containsEntry(FindingCode.ROUNDING_DIFFERENCE, Severity.INFO);
        assertThat(c.tolerance()).isEqualByComparingTo("0.01");
        assertThat(c.tolerancePerCurrency()).containsOnlyKeys("JPY", "USD");
        assertThat(c.tolerancePerCurrency().get("USD")).isEqualByComparingTo("0.05");
        assertThat(c.tolerancePerMeter().get("api_calls")).isEqualByComparingTo("0.10");
        assertThat(c.thresholds().quarantineRateAbove()).isEqualByComparingTo("0.01");
        assertThat(c.thresholds().coverageBelow()).isEqualByComparingTo("0.95");
        assertThat(c.thresholds().moneyAbove().get("USD")).containsOnlyKeys(MoneyClass.OVERCHARGED, MoneyClass.DOUBLE_CHARGED);
    }

    @Test
    void jsonIsReadToo() throws Exception {
        Path f = write("checks.json", "{\"thresholds\": {\"coverage_below\": 0.5}}");
        assertThat(ChecksLoader.load(f.toString()).thresholds().coverageBelow()).isEqualByComparingTo("0.5");
    }

    @Test
    void anUnknownKeyNamesTheFileAndTheKey() throws Exception {
        Path f = write("checks.yaml", "thresholds:\n  coverage_under: 0.9\n");
        assertThatThrownBy(() -> ChecksLoader.load(f.toString())).isInstanceOf(ChecksLoader.ChecksException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("thresholds.coverage_under").hasMessageContaining("unknown key");
        Path g = write("codes.yaml", "severity:\n  NO_SUCH_CODE: error\n");
        assertThatThrownBy(() -> ChecksLoader.load(g.toString())).hasMessageContaining("severity.NO_SUCH_CODE");
        Path h = write("classes.yaml", "thresholds:\n  money_above:\n    USD: {overbilled: 1}\n");
        assertThatThrownBy(() -> ChecksLoader.load(h.toString())).hasMessageContaining("thresholds.money_above.USD.overbilled");
    }

    @Test
    void aBadValueNamesTheFileAndTheKey() throws Exception {
        Path f = write("checks.yaml", "tolerance:\n  meter: {api_calls: -1}\n");
        assertThatThrownBy(() -> ChecksLoader.load(f.toString())).hasMessageContaining(f.toString())
                .hasMessageContaining("tolerance.meter.api_calls").hasMessageContaining(">= 0");
        Path g = write("sev.yaml", "severity:\n  LATE_DECISION: loud\n");
        assertThatThrownBy(() -> ChecksLoader.load(g.toString())).hasMessageContaining("severity.LATE_DECISION").hasMessageContaining("loud");
        Path h = write("share.yaml", "thresholds:\n  coverage_below: 95\n");
        assertThatThrownBy(() -> ChecksLoader.load(h.toString())).hasMessageContaining("thresholds.coverage_below");
        Path i = write("text.yaml", "tolerance: lots\n");
        assertThatThrownBy(() -> ChecksLoader.load(i.toString())).hasMessageContaining("tolerance").hasMessageContaining("lots");
    }
}
