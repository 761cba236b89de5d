package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.window.WindowSpec;
import java.io.ByteArrayOutputStream;
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
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Late data is judged by when it landed (issue 16, item 6): a file whose rows say they were ingested a minute after
 * each event, but which lands 1 h 50 min after its window's end plus hold, is late: the re-audit is flagged and a
 * late_data alert names the window. Files there before the schedule's first look are judged by their rows.
 */
class LateLandingIT {
    static final Instant ORIGIN = Instant.parse("2026-01-10T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void aFileLandingAfterTheHoldIsLateWhateverItsRowsSay() throws Exception {
        Path generated = Fixtures.generate(tmp.resolve("generated"), 4000, 8);
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("events"));
        Files.createDirectories(live.resolve("decisions"));
        String ev = "read_parquet('" + generated.resolve("events") + "/*.parquet')";
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 1 MINUTE AS ingested_at) FROM " + ev + " WHERE event_time >= TIMESTAMPTZ '"
                    + ORIGIN + "' AND event_time < TIMESTAMPTZ '2026-01-10T03:00:00Z') TO '" + live.resolve("events/part-1.parquet") + "' (FORMAT parquet)");
            st.execute("COPY (SELECT * FROM read_parquet('" + generated.resolve("decisions") + "/*.parquet') WHERE decided_at >= TIMESTAMPTZ '"
                    + ORIGIN + "' AND decided_at < TIMESTAMPTZ '2026-01-10T06:00:00Z') TO '" + live.resolve("decisions/part-1.parquet") + "' (FORMAT parquet)");
        }
        AuditSchedule nrt = new AuditSchedule("landing", AuditSchedule.Mode.NEAR_REAL_TIME, "0 */5 * * * ?", ZoneId.of("UTC"),
                new WindowSpec.Fixed(Duration.ofHours(6)), Duration.ZERO, ORIGIN, Instant.parse("2026-01-10T06:00:00Z"), Duration.ofDays(30),
                Duration.ofHours(1), InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                generated.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), tmp.resolve("runs"), Severity.CRITICAL,
                1, Duration.ZERO, true, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-10T06:10:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "nrt-node")) {
            PassReport first = node.once();
            assertThat(first.windows()).hasSize(1);
            assertThat(first.windows().get(0).late()).isFalse();

            // The rest of the window lands at 08:50: end 06:00 + hold 1 h + 1 h 50 min; its rows say 'ingested a minute after the event'.
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
                st.execute("SET TimeZone='UTC'");
                st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 1 MINUTE AS ingested_at) FROM " + ev + " WHERE event_time >= TIMESTAMPTZ "
                        + "'2026-01-10T03:00:00Z' AND event_time < TIMESTAMPTZ '2026-01-10T06:00:00Z') TO '" + live.resolve("events/part-2.parquet")
                        + "' (FORMAT parquet)");
            }
            clock.set(Instant.parse("2026-01-10T08:50:00Z"));
            PassReport second = node.once();
            assertThat(second.windows()).hasSize(1);
            assertThat(second.windows().get(0).late()).as("the file landed after the hold\n" + log.toString(StandardCharsets.UTF_8)).isTrue();
            List<Alert.LateData> late = node.alerts().sent().stream().filter(a -> a instanceof Alert.LateData).map(a -> (Alert.LateData) a).toList();
            assertThat(late).hasSize(1);
            assertThat(late.get(0).windowStart()).isEqualTo(ORIGIN);
            assertThat(late.get(0).latestArrival()).isEqualTo(Instant.parse("2026-01-10T08:50:00Z"));
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("ALERT late_data schedule=landing");
        }
    }
}
