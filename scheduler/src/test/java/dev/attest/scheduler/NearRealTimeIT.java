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
 * Near-real-time mode. Generated data (January and February 2026) arrives over simulated time in slices by arrival
 * time: events 10 minutes after their event time (ingested_at), about one in twenty 5 days later (after the
 * 2-day hold); decisions at their decided_at. A near-real-time schedule (1-day windows, a tick every 6 days)
 * re-audits the months that received data. At the end, the union of the latest findings of every window equals
 * the findings of one nightly audit over the same data, finding for finding (code, event, decision, fingerprint);
 * late data re-audited its windows, was flagged and alerted.
 */
class NearRealTimeIT {
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant END = Instant.parse("2026-03-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void incrementalRunsEndWithTheFindingsOfOneNightlyRunAndLateDataIsReaudited() throws Exception {
        Path generated = Fixtures.generate(tmp.resolve("generated"), 1500, 21);
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("events"));
        Files.createDirectories(live.resolve("decisions"));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            st.execute("CREATE TABLE ev AS SELECT * REPLACE (event_time + CASE WHEN hash(event_id) % 20 = 0 THEN INTERVAL 5 DAY "
                    + "ELSE INTERVAL 10 MINUTE END AS ingested_at) FROM read_parquet('" + generated.resolve("events") + "/*.parquet')");
            st.execute("CREATE TABLE de AS SELECT * FROM read_parquet('" + generated.resolve("decisions") + "/*.parquet')");

            AuditSchedule nrt = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 0 0 * * ?", ZoneId.of("UTC"),
                    new WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, ORIGIN, END, Duration.ofDays(30), Duration.ofDays(2),
                    InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                    generated.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), tmp.resolve("runs-nrt"), Severity.ERROR,
                    2, Duration.ZERO, true, List.of());
            MutableClock clock = new MutableClock(ORIGIN);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            List<Alert> alerts;
            List<LedgerRow> spans;
            List<String> incremental = new ArrayList<>();
            List<String> nightly;
            try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
                 ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                         ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "nrt-node")) {
                Instant previous = Instant.parse("2025-12-01T00:00:00Z");
                int reaudits = 0;
                for (Instant tick = ORIGIN.plus(Duration.ofDays(6)); !tick.isAfter(Instant.parse("2026-03-12T00:00:00Z")); tick = tick.plus(Duration.ofDays(6))) {
                    // Deliver what arrived in (previous, tick] as new files, as a live feed would.
                    String stamp = tick.toString().replace(":", "");
                    st.execute("COPY (SELECT * FROM ev WHERE ingested_at > TIMESTAMPTZ '" + previous + "' AND ingested_at <= TIMESTAMPTZ '" + tick
                            + "') TO '" + live.resolve("events/part-" + stamp + ".parquet") + "' (FORMAT parquet)");
                    st.execute("COPY (SELECT * FROM de WHERE decided_at > TIMESTAMPTZ '" + previous + "' AND decided_at <= TIMESTAMPTZ '" + tick
                            + "') TO '" + live.resolve("decisions/part-" + stamp + ".parquet") + "' (FORMAT parquet)");
                    previous = tick;
                    clock.set(tick);
                    PassReport r = node.once();
                    for (WindowResult w : r.windows()) {
                        assertThat(w.status()).as(w.message()).isEqualTo(WindowResult.Status.DONE);
                        if (w.message().startsWith("re-audited")) reaudits++;
                    }
                }
                clock.set(clock.instant().plus(Duration.ofDays(1)));
                assertThat(node.once().windows()).as("nothing new arrived: nothing is audited again").isEmpty();
                assertThat(reaudits).as("months were audited again as data arrived").isPositive();
                alerts = node.alerts().sent();
                spans = new WindowLedger(ctx.getBean(DataSource.class)).rows("live");

                // The same data, audited once, as a nightly run would, with the last incremental run's cut-off.
                Instant asOf = spans.stream().map(LedgerRow::asOf).max(Instant::compareTo).orElseThrow();
                AuditOutcome once = ctx.getBean(AuditLauncher.class).run(new AuditRequest(InputSource.files(live.resolve("events").toString()),
                        InputSource.files(live.resolve("decisions").toString()), generated.resolve("policies").toString(), tmp.resolve("runs-nightly"),
                        ORIGIN, END, asOf, BigDecimal.ZERO, Duration.ofHours(1), Severity.ERROR, null));
                assertThat(once).isInstanceOf(AuditOutcome.Completed.class);
                nightly = findings(duck, ((AuditOutcome.Completed) once).runDir(), ORIGIN, END);
            }
            assertThat(spans).extracting(LedgerRow::windowStart).containsExactly(ORIGIN, Instant.parse("2026-02-01T00:00:00Z"));
            assertThat(spans).allSatisfy(s -> assertThat(s.status()).isEqualTo(LedgerRow.Status.DONE));
            for (LedgerRow s : spans) incremental.addAll(findings(duck, Path.of(s.runDir()), s.windowStart(), s.windowEnd()));
            assertThat(spans.get(1).windowEnd()).isEqualTo(END);
            incremental.sort(null);
            assertThat(nightly).as("the data has findings").hasSizeGreaterThan(10);
            assertThat(incremental).as("latest incremental findings of every window = one nightly run").containsExactlyElementsOf(nightly);

            List<Alert.LateData> late = alerts.stream().filter(a -> a instanceof Alert.LateData).map(a -> (Alert.LateData) a).toList();
            assertThat(late).as("rows that arrived after the hold are reported per window").isNotEmpty();
            assertThat(late).allSatisfy(a -> assertThat(a.latestArrival()).isAfter(a.windowEnd().plus(Duration.ofDays(2))));
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("ALERT late_data schedule=live");
            System.out.printf("near-real-time: %d findings, equal to one nightly run; audits per month %s; %d late-data alert(s)%n",
                    incremental.size(), spans.stream().map(LedgerRow::audits).toList(), late.size());
        }
    }

    /** Sorted "code,event,decision,fingerprint" of a run's findings inside [from, to) (event time, else decided_at). */
    private static List<String> findings(Connection duck, Path runDir, Instant from, Instant to) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT code || ',' || coalesce(event_id, '') || ',' || coalesce(decision_id, '') || ',' || fingerprint "
                     + "FROM read_parquet('" + runDir.resolve("findings.parquet") + "') WHERE coalesce(event_time, decided_at) >= TIMESTAMPTZ '" + from
                     + "' AND coalesce(event_time, decided_at) < TIMESTAMPTZ '" + to + "' ORDER BY 1")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
