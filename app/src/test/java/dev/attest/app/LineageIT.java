package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.reports.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The lineage-gap report (contracts section 6) on real CSV and YAML files: one broken link of each kind
 * (src/test/resources/lineage/all-gaps/README.md), coverage overall and per customer, meter and day, the
 * closed-period rule for invoices, and the same report from `attest lineage` and from `attest audit`.
 */
class LineageIT {
    static final Path DIR = Path.of("src/test/resources/lineage/all-gaps").toAbsolutePath();

    static Run lineage(Path out, String asOf) {
        return Run.of("lineage", "--events", DIR.resolve("events.csv").toString(), "--decisions", DIR.resolve("decisions.csv").toString(),
                "--policies", DIR.resolve("policies").toString(), "--as-of", asOf, "--out", out.toString());
    }

    static List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) sb.append(i > 1 ? "," : "").append(rs.getString(i) == null ? "" : rs.getString(i));
                out.add(sb.toString());
            }
        }
        return out;
    }

    @Test
    void everyKindOfBrokenLinkIsListedWithItsSourceRow(@TempDir Path tmp) throws Exception {
        Run run = lineage(tmp, "2026-03-01T00:00:00Z");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1); // gaps found
        Path folder = Path.of(run.lastStdoutLine());
        assertThat(folder.getFileName().toString()).startsWith("lineage-20260301T000000Z-");
        List<String> expected = Files.readAllLines(DIR.resolve("expected-gaps.csv")).stream().skip(1).toList();
        assertThat(rows("SELECT gap, event_id, decision_id FROM read_parquet('" + folder.resolve("lineage_gaps.parquet") + "') ORDER BY gap, event_id NULLS FIRST, decision_id"))
                .containsExactlyElementsOf(expected);
        assertThat(rows("SELECT gap, src_file, src_row, rule_kind, policy_id, version, explain FROM read_parquet('"
                + folder.resolve("lineage_gaps.parquet") + "') WHERE decision_id = 'd4'"))
                .containsExactly("RULE_REF_UNRESOLVED," + DIR.resolve("decisions.csv") + ",3,price,price-api,9,attest explain . --decision d4");
        assertThat(rows("SELECT detail FROM read_parquet('" + folder.resolve("lineage_gaps.parquet") + "') WHERE decision_id = 'd5'"))
                .containsExactly("price version price-api@v2 has no change_ref");
    }

    @Test
    void coverageIsTheShareOfDecisionsWithAnIntactChainOverallAndPerCustomerMeterAndDay(@TempDir Path tmp) throws Exception {
        Path folder = Path.of(lineage(tmp, "2026-03-01T00:00:00Z").lastStdoutLine());
        String cov = "read_parquet('" + folder.resolve("lineage_coverage.parquet") + "')";
        assertThat(rows("SELECT decisions, intact, coverage FROM " + cov + " WHERE breakdown = 'overall'")).containsExactly("8,1,0.125000");
        assertThat(rows("SELECT customer_id, decisions, intact, coverage FROM " + cov + " WHERE breakdown = 'customer' ORDER BY ALL"))
                .containsExactly("acme,7,1,0.142857", "beta,1,0,0.000000");
        assertThat(rows("SELECT meter, decisions, intact FROM " + cov + " WHERE breakdown = 'meter'")).containsExactly("api_calls,8,1");
        assertThat(rows("SELECT day, decisions, intact FROM " + cov + " WHERE breakdown = 'day' AND day IN ('2026-01-05', '2026-01-10')"
                + " ORDER BY day")).containsExactly("2026-01-05,1,1", "2026-01-10,1,0"); // d7 has no event: its day is decided_at's
        JsonNode summary = Json.MAPPER.readTree(Files.readString(folder.resolve("lineage.json")));
        assertThat(summary.get("coverage").decimalValue()).isEqualByComparingTo("0.125");
        assertThat(summary.get("gaps").get("CHARGE_WITHOUT_INVOICE").asLong()).isEqualTo(2);
    }

    @Test
    void aChargeNeedsItsInvoiceOnlyOnceItsBillingMonthHasEnded(@TempDir Path tmp) throws Exception {
        Path folder = Path.of(lineage(tmp, "2026-02-10T00:00:00Z").lastStdoutLine());
        assertThat(rows("SELECT decision_id FROM read_parquet('" + folder.resolve("lineage_gaps.parquet")
                + "') WHERE gap = 'CHARGE_WITHOUT_INVOICE'")).containsExactly("d6");
    }

    @Test
    void theAuditWritesTheSameReport(@TempDir Path tmp) throws Exception {
        Path standalone = Path.of(lineage(tmp.resolve("l"), "2026-03-01T00:00:00Z").lastStdoutLine());
        Run audit = Run.of("audit", "--events", DIR.resolve("events.csv").toString(), "--decisions", DIR.resolve("decisions.csv").toString(),
                "--policies", DIR.resolve("policies").toString(), "--as-of", "2026-03-01T00:00:00Z", "--out", tmp.resolve("a").toString(),
                "--metadata", Metadata.h2(tmp.resolve("meta")));
        Path runDir = Path.of(audit.lastStdoutLine());
        for (String f : List.of("lineage_gaps.parquet", "lineage_coverage.parquet"))
            assertThat(rows("SELECT * FROM read_parquet('" + runDir.resolve(f) + "') ORDER BY ALL"))
                    .as(f).containsExactlyElementsOf(rows("SELECT * FROM read_parquet('" + standalone.resolve(f) + "') ORDER BY ALL"));
        JsonNode summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
        assertThat(summary.get("coverage").decimalValue()).isEqualByComparingTo("0.125");
    }
}
