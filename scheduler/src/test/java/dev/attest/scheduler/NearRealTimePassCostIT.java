package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a near-real-time pass costs (issue 16, items 1 and 2): arrival times carry microseconds, as they do in real
 * feeds; a pass with no new data starts no audit (on H2 and on PostgreSQL, whose ledger stores the watermark); a
 * sweep (every 10 s in a long-lived node) never audits new data, only the cron's tick does; and the findings alert
 * of a span re-audited with the same findings is not sent again.
 */
class NearRealTimePassCostIT {
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void aPassWithNoNewDataStartsNoAuditOnH2() throws Exception {
        passes(Fixtures.h2(tmp.resolve("meta")));
    }

    @Test
    void aPassWithNoNewDataStartsNoAuditOnPostgres() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            passes(db.url());
        }
    }

    private void passes(String metadataUrl) throws Exception {
        Path generated = Fixtures.generate(tmp.resolve("generated"), 600, 5);
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("events"));
        Files.createDirectories(live.resolve("decisions"));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            // Arrival 10 minutes and 123 microseconds after the event: sub-millisecond digits, as a live feed has.
            st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 10 MINUTE + INTERVAL 123 MICROSECOND AS ingested_at) FROM read_parquet('"
                    + generated.resolve("events") + "/*.parquet') WHERE event_time < TIMESTAMPTZ '2026-01-20T00:00:00Z') TO '"
                    + live.resolve("events/part-1.parquet") + "' (FORMAT parquet)");
            st.execute("COPY (SELECT * FROM read_parquet('" + generated.resolve("decisions") + "/*.parquet') WHERE decided_at < TIMESTAMPTZ "
                    + "'2026-01-20T00:00:00Z') TO '" + live.resolve("decisions/part-1.parquet") + "' (FORMAT parquet)");
        }
        AuditSchedule nrt = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 */5 * * * ?", ZoneId.of("UTC"),
                new WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, ORIGIN, Instant.parse("2026-02-01T00:00:00Z"), Duration.ofDays(30),
                Duration.ofDays(40), InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                generated.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), tmp.resolve("runs"), Severity.INFO,
                2, Duration.ZERO, true, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-25T00:00:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(metadataUrl);
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "nrt-node")) {
            PassReport first = node.once();
            assertThat(first.windows()).hasSize(1);
            assertThat(first.exitStatus()).as("fail_on info: the span has findings").isEqualTo(1);
            long runs = runFolders(tmp.resolve("runs"));
            assertThat(runs).isEqualTo(1);
            int audits = 0;
            for (int i = 0; i < 3; i++) {
                clock.set(clock.instant().plus(Duration.ofMinutes(5)));
                PassReport again = node.once();
                audits += again.windows().size();
            }
            assertThat(audits).as("three passes with no new data start no audit").isZero();
            assertThat(runFolders(tmp.resolve("runs"))).isEqualTo(runs);
            LedgerRow row = new WindowLedger(ctx.getBean(DataSource.class)).find("live", ORIGIN).orElseThrow();
            assertThat(row.audits()).isEqualTo(1);
            assertThat(row.watermark().getNano() % 1000).isZero();
            assertThat(row.watermark().getNano() / 1000 % 1000).as("the watermark keeps the microseconds").isEqualTo(123);

            // New data: a sweep does not audit it (it only takes over expired claims and due retries) ...
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
                st.execute("SET TimeZone='UTC'");
                st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 10 MINUTE + INTERVAL 456 MICROSECOND AS ingested_at) FROM read_parquet('"
                        + generated.resolve("events") + "/*.parquet') WHERE event_time >= TIMESTAMPTZ '2026-01-20T00:00:00Z' AND event_time < "
                        + "TIMESTAMPTZ '2026-01-24T00:00:00Z') TO '" + live.resolve("events/part-2.parquet") + "' (FORMAT parquet)");
            }
            clock.set(clock.instant().plus(Duration.ofSeconds(10)));
            assertThat(node.passes().sweep("live").windows()).as("the sweep is not the tick").isEmpty();
            assertThat(runFolders(tmp.resolve("runs"))).isEqualTo(runs);
            // ... the cron's tick does, once.
            PassReport tick = node.passes().run("live");
            assertThat(tick.windows()).hasSize(1);
            assertThat(node.passes().run("live").windows()).isEmpty();
            assertThat(runFolders(tmp.resolve("runs"))).isEqualTo(runs + 1);

            // The same findings again (the same rows delivered again in a new file, which lands later: a re-audit) do not
            // repeat the findings alert.
            long findingsAlerts = node.alerts().sent().stream().filter(a -> a instanceof Alert.Findings).count();
            assertThat(findingsAlerts).as("first audit, then new findings").isEqualTo(2);
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
                st.execute("SET TimeZone='UTC'");
                st.execute("COPY (SELECT * REPLACE (ingested_at + INTERVAL 1 HOUR AS ingested_at) FROM read_parquet('"
                        + live.resolve("events/part-2.parquet") + "')) TO '" + live.resolve("events/part-2b.parquet") + "' (FORMAT parquet)");
            }
            Files.delete(live.resolve("events/part-2.parquet"));
            clock.set(clock.instant().plus(Duration.ofMinutes(5)));
            PassReport same = node.passes().run("live");
            assertThat(same.windows()).as("a later arrival re-audits").hasSize(1);
            assertThat(same.exitStatus()).isEqualTo(1);
            assertThat(node.alerts().sent().stream().filter(a -> a instanceof Alert.Findings).count())
                    .as("same findings: no second alert").isEqualTo(2);
            System.out.printf("near-real-time pass cost: %d audit(s) in 3 passes with no new data, 1 after new data%n", audits);
        }
    }

    static long runFolders(Path out) throws IOException {
        if (!Files.isDirectory(out)) return 0;
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
