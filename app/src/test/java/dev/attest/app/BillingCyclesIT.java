package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contracts section 10 through the real command line, on the scenario cycles-live-billed-calendar-months (a live system
 * that ignored the customers' cycles): the periods named in the outputs, explain's account of the period, the customers
 * input pinned in the manifest and re-run by verify, lineage's closed periods, and exit 2 for a bad customers row.
 */
class BillingCyclesIT {
    static final Path DATA = ScenarioIT.SCENARIOS.resolve("cycles-live-followed-anniversary").toAbsolutePath();
    static final Path CALENDAR = ScenarioIT.SCENARIOS.resolve("cycles-live-billed-calendar-months").toAbsolutePath();

    static Run audit(Path tmp, Path customers, String... more) {
        List<String> args = new ArrayList<>(List.of("audit", "--events", DATA.resolve("events.csv").toString(),
                "--decisions", CALENDAR.resolve("decisions.csv").toString(), "--policies", DATA.resolve("policies").toString(),
                "--as-of", "2026-04-05T00:00:00Z", "--out", tmp.resolve("runs").toString(), "--metadata", Metadata.h2(tmp.resolve("meta"))));
        if (customers != null) args.addAll(List.of("--customers", customers.toString()));
        args.addAll(List.of(more));
        return Run.of(args.toArray(String[]::new));
    }

    static List<String> rows(String sql) throws Exception {
        return DuckRows.of(sql, ",");
    }

    @Test
    void outputsNameEachCustomersPeriodByItsLocalStartDate(@TempDir Path tmp) throws Exception {
        Run run = audit(tmp, DATA.resolve("customers.csv"));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path runDir = Path.of(run.lastStdoutLine());
        // Tokyo's 15th, New York's 31st (28 February in 2026), UTC months for c3 (listed with the default) and c4 (not listed).
        assertThat(rows("SELECT event_id, billing_period FROM read_parquet('" + runDir.resolve("expected.parquet") + "') ORDER BY event_id"))
                .containsExactly("e1,2026-01-15", "e2,2026-01-15", "e3,2026-01-15", "e4,2026-02-15", "e5,2026-02-15",
                        "f0,2026-01-31", "f1,2026-02-28", "f2,2026-02-28", "f3,2026-02-28", "f4,2026-03-31",
                        "g1,2026-01-01", "g2,2026-02-01", "h1,2026-01-01");
        assertThat(rows("SELECT code, event_id, billing_period FROM read_csv('" + runDir.resolve("findings.csv") + "') ORDER BY event_id"))
                .containsExactly("AMOUNT_MISMATCH,e2,2026-01-15", "AMOUNT_MISMATCH,e3,2026-01-15", "AMOUNT_MISMATCH,e5,2026-02-15",
                        "OUTCOME_MISMATCH,f2,2026-02-28", "OUTCOME_MISMATCH,f4,2026-03-31");
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(runDir.resolve("manifest.json")));
        assertThat(manifest.path("customers").path("path").asString()).isEqualTo(DATA.resolve("customers.csv").toString());
        assertThat(manifest.path("customers").path("customers").asInt()).isEqualTo(3);
        assertThat(manifest.path("customers").path("files").get(0).path("sha256").asString()).hasSize(64);
        assertThat(Files.readString(runDir.resolve("report.html"))).contains("<td class=\"t\">2026-02-28</td>");
        // The --out folder's index lists the run with a link to its report.
        assertThat(Files.readString(runDir.getParent().resolve("index.html"))).contains("<a href=\"" + runDir.getFileName() + "/report.html\">",
                "1 run(s) in");

        // explain: the period, local and UTC, and why the event is in it.
        Run explain = Run.of("explain", runDir.toString(), "--event", "e3");
        assertThat(explain.exit()).as(explain.stderr()).isZero();
        assertThat(explain.stdout()).contains("Billing period 2026-01-15 of c1, api: event 3 of 3",
                "billing cycle of the customers input: anchor day 15, zone Asia/Tokyo",
                "2026-01-15T00:00 Asia/Tokyo = 2026-01-14T15:00:00Z", "2026-02-15T00:00 Asia/Tokyo = 2026-02-14T15:00:00Z (exclusive)",
                "event_time 2026-02-14T14:59:59.999999Z = 2026-02-14T23:59:59.999999 Asia/Tokyo is at or after the start on 2026-01-15 "
                        + "and before the next start on 2026-02-15", "yes: it ended at or before the cut-off");
        Run feb = Run.of("explain", runDir.toString(), "--event", "f1");
        assertThat(feb.stdout()).contains("(day 31 does not exist in 2026-02: its last day)");
        Run utc = Run.of("explain", runDir.toString(), "--event", "h1");
        assertThat(utc.stdout()).contains("no cycle of its own in the customers input: the calendar month in UTC");

        // verify re-reads the pinned customers input and reproduces every output.
        Run verify = Run.of("verify", runDir.toString(), "--metadata", Metadata.h2(tmp.resolve("meta")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isZero();
    }

    @Test
    void withoutCustomersEveryoneIsOnUtcCalendarMonthsAndTheRunIdIsUnchangedByTheNewInput(@TempDir Path tmp) throws Exception {
        Run run = audit(tmp, null);
        assertThat(run.exit()).as(run.stderr()).isZero(); // the calendar-month live system is right against v1's periods
        Path runDir = Path.of(run.lastStdoutLine());
        assertThat(rows("SELECT DISTINCT billing_period FROM read_parquet('" + runDir.resolve("expected.parquet") + "') ORDER BY 1"))
                .containsExactly("2026-01-01", "2026-02-01", "2026-03-01");
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(runDir.resolve("manifest.json")));
        assertThat(manifest.has("customers")).isFalse();
    }

    @Test
    void aBadOrContradictoryCustomersRowStopsTheRunBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("customers.csv");
        Files.writeString(bad, "customer_id,billing_anchor_day,billing_zone\nc1,15,Asia/Tokyo\nc2,31,America/New_Yrok\n");
        Run run = audit(tmp, bad);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains(bad + " row 2 (customer 'c2'): billing_zone 'America/New_Yrok' is not a known IANA time zone");
        assertThat(run.stdout()).isEmpty();
        Files.writeString(bad, "customer_id,billing_anchor_day,billing_zone\nc1,15,Asia/Tokyo\nc1,15,UTC\n");
        Run two = audit(tmp, bad);
        assertThat(two.exit()).isEqualTo(2);
        assertThat(two.stderr()).contains("row 2 (customer 'c1')", "second billing cycle");
        Run lineage = Run.of("lineage", "--events", DATA.resolve("events.csv").toString(), "--decisions", DATA.resolve("decisions.csv").toString(),
                "--policies", DATA.resolve("policies").toString(), "--customers", bad.toString(), "--as-of", "2026-04-05T00:00:00Z",
                "--out", tmp.resolve("lin").toString());
        assertThat(lineage.exit()).isEqualTo(2);
        assertThat(lineage.stderr()).contains("second billing cycle");
    }

    @Test
    void lineageClosesEachCustomersOwnPeriod(@TempDir Path tmp) throws Exception {
        // Cut-off 2026-02-14T16:00Z: c1's period that began 15 January (Tokyo) has ended, the UTC month of February has not.
        Path decisions = tmp.resolve("decisions.csv");
        Files.writeString(decisions, """
                decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at,invoice_id
                d2,e2,c1,api,charged,3.00,USD,price-api,1,2026-02-01T00:00:05Z,
                m2,g2,c3,api,charged,1.00,USD,price-api,1,2026-02-01T00:00:05Z,
                """);
        List<String> base = List.of("lineage", "--events", DATA.resolve("events.csv").toString(), "--decisions", decisions.toString(),
                "--policies", DATA.resolve("policies").toString(), "--as-of", "2026-02-14T16:00:00Z", "--from", "2026-02-01T00:00:00Z",
                "--to", "2026-02-02T00:00:00Z");
        List<String> withCustomers = new ArrayList<>(base);
        withCustomers.addAll(List.of("--customers", DATA.resolve("customers.csv").toString(), "--out", tmp.resolve("a").toString()));
        Run a = Run.of(withCustomers.toArray(String[]::new));
        assertThat(a.exit()).as(a.stderr()).isEqualTo(1);
        assertThat(rows("SELECT gap, decision_id FROM read_parquet('" + Path.of(a.lastStdoutLine()).resolve("lineage_gaps.parquet")
                + "') WHERE gap = 'CHARGE_WITHOUT_INVOICE'")).containsExactly("CHARGE_WITHOUT_INVOICE,d2");
        List<String> without = new ArrayList<>(base);
        without.addAll(List.of("--out", tmp.resolve("b").toString()));
        Run b = Run.of(without.toArray(String[]::new));
        assertThat(rows("SELECT gap FROM read_parquet('" + Path.of(b.lastStdoutLine()).resolve("lineage_gaps.parquet")
                + "') WHERE gap = 'CHARGE_WITHOUT_INVOICE'")).isEmpty();
    }
}
