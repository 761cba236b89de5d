package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.run.WindowResult;
import dev.attest.scheduler.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Near-real-time mode with a customer on its own billing cycle (contracts section 10): "tokyo" is billed from the
 * 15th in Asia/Tokyo, so its period [2026-01-14T15:00Z, 2026-02-14T15:00Z) lies across the January and February
 * spans; "acme" is not listed and keeps UTC calendar months. Graduated price: (0,10] at 1.00, above at 2.00.
 *
 * <p>An event of tokyo for 25 January arrives late. It moves tokyo's cumulative counter for its 5 February event
 * into the second tier, so that event's decision (charged 8.00, right before the late event was known) is now an
 * AMOUNT_MISMATCH (expected 10.00). The finding lies in the February span, which received no data itself: the next
 * pass must audit it again because the late row's period overlaps it. A late event of acme for 25 January only
 * re-audits January. The latest findings of both spans equal those of one audit over the same data.
 */
class NearRealTimeCyclesIT {
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant FEB = Instant.parse("2026-02-01T00:00:00Z");
    static final Instant END = Instant.parse("2026-03-01T00:00:00Z");
    static final String EVENTS = "event_id,customer_id,meter,quantity,event_time,ingested_at\n";
    static final String DECISIONS = "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at,invoice_id\n";

    @TempDir
    Path tmp;

    @Test
    void aLateEventReauditsEverySpanItsCustomersPeriodOverlaps() throws Exception {
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("events"));
        Files.createDirectories(live.resolve("decisions"));
        Files.createDirectories(live.resolve("policies"));
        Files.writeString(live.resolve("policies/api.yaml"), """
                policy_id: price-api
                kind: price
                meter: api_calls
                currency: USD
                versions:
                  - version: 1
                    valid_from: "2025-01-01T00:00:00Z"
                    recorded_at: "2025-01-01T00:00:00Z"
                    change_ref: PRICE-1
                    author: pricing
                    rule: {model: graduated, tiers: [{up_to: "10", unit_price: "1.00"}, {up_to: null, unit_price: "2.00"}]}
                    rounding: {scale: 2, mode: half_even}
                """);
        Path customers = live.resolve("customers.csv");
        Files.writeString(customers, "customer_id,billing_anchor_day,billing_zone\ntokyo,15,Asia/Tokyo\n");

        AuditSchedule nrt = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 0 0 * * ?", ZoneId.of("UTC"),
                new WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, ORIGIN, END, Duration.ofDays(30), Duration.ofDays(2),
                InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                live.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), tmp.resolve("runs-nrt"), Severity.ERROR,
                2, Duration.ZERO, true, List.of(), customers.toString());
        MutableClock clock = new MutableClock(Instant.parse("2026-03-02T00:00:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "nrt-node")) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class));

            // On time, every decision right: tokyo's 5 February event continues its January period (6 + 6 = 12 units:
            // 4 at 1.00 and 2 at 2.00); its 14 February 16:00Z event (15 February in Tokyo) opens a new period.
            Files.writeString(live.resolve("events/part-1.csv"), EVENTS
                    + "t1,tokyo,api_calls,6,2026-01-20T10:00:00Z,2026-01-20T10:10:00Z\n"
                    + "t3,tokyo,api_calls,6,2026-02-05T10:00:00Z,2026-02-05T10:10:00Z\n"
                    + "t4,tokyo,api_calls,6,2026-02-14T16:00:00Z,2026-02-14T16:10:00Z\n"
                    + "a1,acme,api_calls,6,2026-01-20T10:00:00Z,2026-01-20T10:10:00Z\n"
                    + "a3,acme,api_calls,6,2026-02-05T10:00:00Z,2026-02-05T10:10:00Z\n");
            Files.writeString(live.resolve("decisions/part-1.csv"), DECISIONS
                    + "dt1,t1,tokyo,api_calls,charged,6.00,USD,price-api,1,2026-01-20T10:01:00Z,inv-t\n"
                    + "dt3,t3,tokyo,api_calls,charged,8.00,USD,price-api,1,2026-02-05T10:01:00Z,inv-t\n"
                    + "dt4,t4,tokyo,api_calls,charged,6.00,USD,price-api,1,2026-02-14T16:01:00Z,inv-t\n"
                    + "da1,a1,acme,api_calls,charged,6.00,USD,price-api,1,2026-01-20T10:01:00Z,inv-a\n"
                    + "da3,a3,acme,api_calls,charged,6.00,USD,price-api,1,2026-02-05T10:01:00Z,inv-a\n");
            PassReport first = node.once();
            assertThat(first.windows()).extracting(w -> w.window().start()).containsExactly(ORIGIN, FEB);
            assertThat(first.windows()).allSatisfy(w -> assertThat(w.status()).as(w.message()).isEqualTo(WindowResult.Status.DONE));
            assertThat(latestFindings(duck, ledger)).as("tokyo is rated on its own cycle: no findings").isEmpty();

            // tokyo's 25 January event arrives on 2 March: its 5 February event now enters the second tier earlier.
            Files.writeString(live.resolve("events/part-2.csv"), EVENTS
                    + "t2,tokyo,api_calls,2,2026-01-25T10:00:00Z,2026-03-02T12:00:00Z\n");
            Files.writeString(live.resolve("decisions/part-2.csv"), DECISIONS
                    + "dt2,t2,tokyo,api_calls,charged,2.00,USD,price-api,1,2026-01-25T10:01:00Z,inv-t\n");
            clock.set(Instant.parse("2026-03-03T00:00:00Z"));
            PassReport second = node.once();
            assertThat(second.windows()).as("January received the row; February holds later events of its period")
                    .extracting(w -> w.window().start()).containsExactly(ORIGIN, FEB);
            assertThat(second.windows()).allSatisfy(w -> assertThat(w.message()).startsWith("re-audited"));
            assertThat(latestFindings(duck, ledger)).containsExactly("AMOUNT_MISMATCH,t3,dt3,10.00,8.00");
            assertThat(node.alerts().sent()).filteredOn(a -> a instanceof Alert.LateData).extracting(a -> ((Alert.LateData) a).windowStart())
                    .containsExactly(Instant.parse("2026-01-25T00:00:00Z"));

            // acme's late 25 January event changes only acme's January (a UTC calendar month): February is left alone.
            Files.writeString(live.resolve("events/part-3.csv"), EVENTS
                    + "a2,acme,api_calls,2,2026-01-25T10:00:00Z,2026-03-03T12:00:00Z\n");
            Files.writeString(live.resolve("decisions/part-3.csv"), DECISIONS
                    + "da2,a2,acme,api_calls,charged,2.00,USD,price-api,1,2026-01-25T10:01:00Z,inv-a\n");
            clock.set(Instant.parse("2026-03-04T00:00:00Z"));
            assertThat(node.once().windows()).extracting(w -> w.window().start()).containsExactly(ORIGIN);
            clock.set(Instant.parse("2026-03-05T00:00:00Z"));
            assertThat(node.once().windows()).as("nothing new arrived: nothing is audited again").isEmpty();

            List<LedgerRow> spans = ledger.rows("live");
            assertThat(spans).extracting(LedgerRow::audits).containsExactly(3, 2);
            List<String> incremental = latestFindings(duck, ledger);
            Instant asOf = spans.stream().map(LedgerRow::asOf).max(Instant::compareTo).orElseThrow();
            AuditOutcome once = ctx.getBean(AuditLauncher.class).run(new AuditRequest(InputSource.files(live.resolve("events").toString()),
                    InputSource.files(live.resolve("decisions").toString()), live.resolve("policies").toString(), tmp.resolve("runs-once"),
                    ORIGIN, END, asOf, BigDecimal.ZERO, Duration.ofHours(1), Severity.ERROR, null, customers.toString()));
            assertThat(once).isInstanceOf(AuditOutcome.Completed.class);
            assertThat(incremental).as("latest findings of every span = one audit of the whole range")
                    .containsExactlyElementsOf(findings(duck, ((AuditOutcome.Completed) once).runDir(), ORIGIN, END));
        }
    }

    /** The findings of every span's latest run inside the span, sorted. */
    private static List<String> latestFindings(Connection duck, WindowLedger ledger) throws Exception {
        List<String> out = new ArrayList<>();
        for (LedgerRow s : ledger.rows("live")) out.addAll(findings(duck, Path.of(s.runDir()), s.windowStart(), s.windowEnd()));
        out.sort(null);
        return out;
    }

    /** Sorted "code,event,decision,expected,actual" of a run's findings inside [from, to) (event time, else decided_at). */
    private static List<String> findings(Connection duck, Path runDir, Instant from, Instant to) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT code || ',' || coalesce(event_id, '') || ',' || coalesce(decision_id, '') || ',' "
                     + "|| coalesce(CAST(CAST(expected_amount AS DECIMAL(38, 2)) AS VARCHAR), '') || ',' "
                     + "|| coalesce(CAST(CAST(actual_amount AS DECIMAL(38, 2)) AS VARCHAR), '') "
                     + "FROM read_parquet('" + runDir.resolve("findings.parquet") + "') WHERE coalesce(event_time, decided_at) >= TIMESTAMPTZ '" + from
                     + "' AND coalesce(event_time, decided_at) < TIMESTAMPTZ '" + to + "' ORDER BY 1")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
