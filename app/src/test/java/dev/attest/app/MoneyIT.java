package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.reports.Json;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14 end to end through the command line: money by class per currency in summary.json on a hand-made month
 * with one case of each class (src/test/resources/money/README.md), and a checks file whose threshold fails the run.
 */
class MoneyIT {
    static final Path DATA = Path.of("src/test/resources/money");

    static List<String> audit(Path tmp, String... extra) {
        List<String> args = new ArrayList<>(List.of("audit", "--events", DATA.resolve("events.csv").toString(),
                "--decisions", DATA.resolve("decisions.csv").toString(), "--policies", DATA.resolve("policies").toString(),
                "--as-of", "2026-03-01T00:00:00Z", "--out", tmp.resolve("runs").toString(), "--metadata", Metadata.h2(tmp.resolve("meta"))));
        args.addAll(List.of(extra));
        return args;
    }

    static Map<String, String> money(JsonNode summary, String currency) {
        Map<String, String> out = new LinkedHashMap<>();
        summary.get("money").get(currency).properties().forEach(e -> out.put(e.getKey(), new BigDecimal(e.getValue().asString()).stripTrailingZeros().toPlainString()));
        return out;
    }

    @Test
    void summaryJsonHasEveryMoneyClassPerCurrencyExactly(@TempDir Path tmp) throws Exception {
        Run run = Run.of(audit(tmp).toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path runDir = Path.of(run.lastStdoutLine());
        JsonNode summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
        assertThat(summary.get("money").propertyNames()).containsExactly("EUR", "USD");
        assertThat(money(summary, "USD")).containsExactly(Map.entry("overcharged", "6.004"), Map.entry("undercharged", "4"),
                Map.entry("unbilled", "4"), Map.entry("double_charged", "5"), Map.entry("charged_without_usage", "4.4"),
                Map.entry("unverified", "0.7"), Map.entry("retroactive", "1.5"));
        assertThat(money(summary, "EUR")).containsExactly(Map.entry("overcharged", "0"), Map.entry("undercharged", "0"),
                Map.entry("unbilled", "0"), Map.entry("double_charged", "0"), Map.entry("charged_without_usage", "0"),
                Map.entry("unverified", "2"), Map.entry("retroactive", "0"));
        // kept for compatibility: AMOUNT_MISMATCH and ROUNDING_DIFFERENCE only
        // kept for compatibility: |difference| of AMOUNT_MISMATCH and ROUNDING_DIFFERENCE, the duplicate's included (section 9
        // still checks it; its money is counted once, as double_charged)
        assertThat(summary.get("amount_at_risk").get("USD").decimalValue()).isEqualByComparingTo("4.004");
        // the contract's codes and the thresholds', zero included
        assertThat(summary.get("findings").get("THRESHOLD_MONEY").asLong()).isZero();
        assertThat(summary.get("findings").propertyNames()).hasSize(21);

        // The console says it in minor units; the breakdown sums to the summary.
        assertThat(run.stderr()).contains("money USD: overcharged USD 6.00, undercharged USD 4.00, unbilled USD 4.00, double_charged USD 5.00, "
                + "charged_without_usage USD 4.40, unverified USD 0.70, retroactive USD +1.50");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(amount) FILTER (WHERE money_class = 'double_charged'), count(DISTINCT invoice_id), "
                     + "sum(amount) FILTER (WHERE customer_id = 'c2' AND money_class = 'unbilled') FROM read_csv('" + runDir.resolve("money.csv") + "')")) {
            rs.next();
            assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("5");
            assertThat(rs.getInt(2)).isEqualTo(2); // inv-c1, inv-c2 (the unbilled event has none)
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("4");
        }
        // Each row carries its class and effect: correct minus billed.
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT decision_id, money_class, money_effect FROM read_parquet('" + runDir.resolve("findings.parquet")
                     + "') WHERE code = 'OUTCOME_MISMATCH' ORDER BY decision_id")) {
            rs.next();
            assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("d10 undercharged");
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("3");
            rs.next();
            assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("d11 overcharged");
            assertThat(rs.getBigDecimal(3)).isEqualByComparingTo("-4");
        }
        Run findings = Run.of("findings", runDir.toString(), "--format", "csv", "--metadata", Metadata.h2(tmp.resolve("meta")));
        assertThat(findings.exit()).as(findings.stderr()).isZero();
        assertThat(findings.stdout().lines().filter(l -> l.contains("DUPLICATE_DECISION"))).singleElement().asString()
                .contains(",double_charged,-5,");
        assertThat(findings.stdout().lines().filter(l -> l.contains("CURRENCY_MISMATCH"))).singleElement().asString()
                .contains(",unverified,,");
        assertThat(Files.readString(runDir.resolve("report.html"))).contains("<section id=\"money\">").contains("USD 6.00").contains("USD +1.50");
    }

    @Test
    void aMoneyThresholdCrossedIsAFindingThatFailsTheRunAndVerifyRereadsTheChecks(@TempDir Path tmp) throws Exception {
        // Every money-moving code is only a warning and only critical fails: what is left to fail the run is the threshold.
        Path checks = tmp.resolve("checks.yaml");
        Files.writeString(checks, """
                fail_on: critical
                severity:
                  AMOUNT_MISMATCH: warning
                  OUTCOME_MISMATCH: warning
                  DUPLICATE_DECISION: warning
                  CURRENCY_MISMATCH: warning
                thresholds:
                  money_above:
                    USD: {unbilled: 3.99}
                """);
        Run run = Run.of(audit(tmp, "--checks", checks.toString()).toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path runDir = Path.of(run.lastStdoutLine());
        JsonNode summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
        assertThat(summary.get("findings").get("THRESHOLD_MONEY").asLong()).isEqualTo(1);
        assertThat(summary.get("findings_at_or_above_fail_on").asLong()).isEqualTo(1);
        assertThat(summary.get("fail_on").asString()).isEqualTo("critical");
        assertThat(summary.get("parameters").get("checks").asString()).isEqualTo(checks.toAbsolutePath().toString());
        assertThat(ScenarioIT.findings(runDir)).contains("THRESHOLD_MONEY,,");
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(runDir.resolve("manifest.json")));
        assertThat(manifest.get("checks").get("sha256").asString()).hasSize(64);

        Run verify = Run.of("verify", runDir.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isZero();

        // The same audit with a limit the money stays under passes; the command line's --fail-on wins over the file.
        Files.writeString(checks, Files.readString(checks).replace("3.99", "4"));
        Run under = Run.of(audit(tmp, "--checks", checks.toString()).toArray(String[]::new));
        assertThat(under.exit()).as(under.stderr()).isZero();
        Run cli = Run.of(audit(tmp, "--checks", checks.toString(), "--fail-on", "warning").toArray(String[]::new));
        assertThat(cli.exit()).as(cli.stderr()).isEqualTo(1);

        // A changed checks file is an input change: verify refuses, naming it.
        Run changed = Run.of("verify", runDir.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(changed.exit()).isEqualTo(2);
        assertThat(changed.stderr()).contains("checks");
    }

    @Test
    void anUnknownKeyOrBadValueInTheChecksFileIsExit2NamingFileAndKey(@TempDir Path tmp) throws Exception {
        Path checks = tmp.resolve("bad.yaml");
        Files.writeString(checks, "thresholds:\n  coverage_floor: 0.9\n");
        Run run = Run.of(audit(tmp, "--checks", checks.toString()).toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains(checks.toString()).contains("thresholds.coverage_floor");
        Files.writeString(checks, "tolerance:\n  currency: {USD: cheap}\n");
        Run bad = Run.of(audit(tmp, "--checks", checks.toString()).toArray(String[]::new));
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stderr()).contains(checks.toString()).contains("tolerance.currency.USD");
    }
}
