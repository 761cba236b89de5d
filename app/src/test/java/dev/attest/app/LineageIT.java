package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.engine.audit.LineageGaps;
import dev.attest.generator.Generator;
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
                .containsExactly("RULE_REF_UNRESOLVED," + DIR.resolve("decisions.csv") + ",3,price,price-api,9,attest explain "
                        + folder.getFileName() + " --decision d4");
        assertThat(rows("SELECT detail FROM read_parquet('" + folder.resolve("lineage_gaps.parquet") + "') WHERE decision_id = 'd5'"))
                .containsExactly("price version price-api@v2 has no change_ref");
    }

    @Test
    void theExplainCommandOfAGapWorksFromTheLineageFolderAndAnywhereAbove(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("reports").resolve("lineage");
        Path folder = Path.of(lineage(out, "2026-03-01T00:00:00Z").lastStdoutLine());
        assertThat(folder.resolve("manifest.json")).doesNotExist();
        List<String> commands = rows("SELECT explain FROM read_parquet('" + folder.resolve("lineage_gaps.parquet") + "') WHERE decision_id IN ('d4', 'd5') ORDER BY decision_id");
        assertThat(commands).hasSize(2);
        String id = folder.getFileName().toString();
        // The id in the command resolves from the lineage folder, from --out and from the folder above, as a run id does.
        for (Path from : List.of(folder, out, out.getParent()))
            assertThat(RunFolders.resolve(id, from, List.of("manifest.json", "lineage.json"))).as("from " + from).isEqualTo(folder.toAbsolutePath().normalize());
        assertThat(RunFolders.resolve(".", folder, List.of("manifest.json", "lineage.json"))).isEqualTo(folder.toAbsolutePath().normalize());
        for (String command : commands) {
            String[] words = command.split(" ");
            assertThat(words).hasSize(5).startsWith("attest", "explain", id);
            Run explain = Run.of("explain", folder.toString(), words[3], words[4]);
            assertThat(explain.exit()).as(command + "\n" + explain.stderr()).isZero();
            assertThat(explain.stdout()).as(command).contains("of run " + id).contains("Lineage gaps of the run")
                    .doesNotContain("Findings of the run");
        }
        Run d4 = Run.of("explain", folder.toString(), "--decision", "d4");
        assertThat(d4.stdout()).contains("RULE_REF_UNRESOLVED").doesNotContain("WARNING: inputs changed");
        // An input changed since the report: explain says so, as for a run folder.
        Path copy = tmp.resolve("data");
        Files.createDirectories(copy);
        Files.copy(DIR.resolve("events.csv"), copy.resolve("events.csv"));
        Files.copy(DIR.resolve("decisions.csv"), copy.resolve("decisions.csv"));
        Path changed = Path.of(Run.of("lineage", "--events", copy.resolve("events.csv").toString(), "--decisions", copy.resolve("decisions.csv").toString(),
                "--policies", DIR.resolve("policies").toString(), "--as-of", "2026-03-01T00:00:00Z", "--out", tmp.resolve("c").toString()).lastStdoutLine());
        Files.writeString(copy.resolve("events.csv"), Files.readString(copy.resolve("events.csv")) + "\n");
        Run warned = Run.of("explain", changed.toString(), "--decision", "d4");
        assertThat(warned.exit()).as(warned.stderr()).isZero();
        assertThat(warned.stdout()).contains("WARNING: inputs changed since the run");
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
        for (String f : List.of("lineage_gaps.parquet", "lineage_coverage.parquet")) {
            String cols = f.startsWith("lineage_gaps") ? "* EXCLUDE (explain)" : "*"; // each names its own folder
            assertThat(rows("SELECT " + cols + " FROM read_parquet('" + runDir.resolve(f) + "') ORDER BY ALL"))
                    .as(f).containsExactlyElementsOf(rows("SELECT " + cols + " FROM read_parquet('" + standalone.resolve(f) + "') ORDER BY ALL"));
        }
        assertThat(rows("SELECT DISTINCT split_part(explain, ' ', 3) FROM read_parquet('" + runDir.resolve("lineage_gaps.parquet") + "')"))
                .containsExactly(runDir.getFileName().toString());
        JsonNode summary = Json.MAPPER.readTree(Files.readString(runDir.resolve("summary.json")));
        assertThat(summary.get("coverage").decimalValue()).isEqualByComparingTo("0.125");
    }

    /**
     * Lineage joins the decisions with their events in one of two forms, chosen by the window's share of the events: one
     * join of every decision (a window over most of the events) or two parts (the window's events, then the orphans
     * decided in it). Both give the same report, over the whole of generated data with every kind of broken link and over
     * one week of it (customers with billing cycles of their own, orphans, unlinked decisions, conflicting events).
     */
    @Test
    void theWholeJoinAndTheTwoPartJoinGiveTheSameReport(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        new Generator().generate(data, 20_000, 3);
        GeneratedData g = GeneratedData.read(data);
        String asOf = g.truth().path("parameters").path("as_of").asString();
        String[][] windows = {{}, {"--from", "2026-01-12T00:00:00Z", "--to", "2026-01-19T00:00:00Z"}};
        for (String[] window : windows) {
            List<List<String>> reports = new ArrayList<>();
            for (String form : List.of("whole", "split")) {
                List<String> args = new ArrayList<>(List.of("lineage", "--events", data.resolve("events").toString(), "--decisions",
                        data.resolve("decisions").toString(), "--policies", data.resolve("policies").toString(), "--as-of", asOf,
                        "--out", tmp.resolve(form + window.length).toString()));
                if (g.customers() != null) args.addAll(List.of("--customers", g.customers()));
                args.addAll(List.of(window));
                System.setProperty(LineageGaps.JOIN_PROPERTY, form);
                try {
                    Run run = Run.of(args.toArray(String[]::new));
                    assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
                    Path folder = Path.of(run.lastStdoutLine());
                    List<String> report = new ArrayList<>(rows("SELECT * EXCLUDE (explain) FROM read_parquet('"
                            + folder.resolve("lineage_gaps.parquet") + "')"));
                    report.addAll(rows("SELECT * FROM read_parquet('" + folder.resolve("lineage_coverage.parquet") + "')"));
                    reports.add(report);
                } finally {
                    System.clearProperty(LineageGaps.JOIN_PROPERTY);
                }
            }
            String what = window.length == 0 ? "the whole data" : "one week";
            assertThat(reports.get(0)).as(what).anyMatch(r -> r.startsWith("DECISION_WITHOUT_EVENT,"))
                    .anyMatch(r -> r.startsWith("customer_meter_day,"));
            assertThat(reports.get(1)).as(what).containsExactlyElementsOf(reports.get(0));
        }
    }
}
