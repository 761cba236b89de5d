package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
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
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One reader (issue 16, item 9): near-real-time passes read the inputs as the audit's staging does. A schedule whose
 * events come from an events_sql ending in ';' and whose decisions are CSV files with a column named 'filename' and
 * decided_at without an offset (assume_zone America/New_York) audits nightly; in near-real-time mode its pass used to
 * fail on the ';' and on the 'filename' column, and would have read the times as UTC. Now the pass audits, counts
 * every row the audit accepts, takes the latest arrival in the assumed zone, and a second pass with nothing new
 * audits nothing.
 */
class OneReaderIT {
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void nearRealTimeReadsTheInputsAsTheStagingDoes() throws Exception {
        Path generated = Fixtures.generate(tmp.resolve("generated"), 600, 5);
        Path events = tmp.resolve("live/events"), decisions = tmp.resolve("live/decisions");
        Files.createDirectories(events);
        Files.createDirectories(decisions);
        long rows;
        Instant latest;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 10 MINUTE AS ingested_at) FROM read_parquet('" + generated.resolve("events")
                    + "/*.parquet') WHERE event_time < TIMESTAMPTZ '2026-01-10T00:00:00Z') TO '" + events.resolve("part-1.parquet") + "' (FORMAT parquet)");
            // Decisions as CSV: decided_at in New York local time without an offset, and a column named 'filename'.
            st.execute("CREATE TABLE de AS SELECT * FROM read_parquet('" + generated.resolve("decisions") + "/*.parquet') "
                    + "WHERE decided_at < TIMESTAMPTZ '2026-01-20T00:00:00Z'");
            st.execute("COPY (SELECT * REPLACE (strftime(timezone('America/New_York', decided_at), '%Y-%m-%d %H:%M:%S.%f') AS decided_at), "
                    + "'upstream-batch-7.csv' AS filename FROM de) TO '" + decisions.resolve("part-1.csv") + "' (HEADER, DELIMITER ',')");
            rows = count(st, "SELECT count(*) FROM read_parquet('" + events.resolve("part-1.parquet") + "')") + count(st, "SELECT count(*) FROM de");
            try (ResultSet rs = st.executeQuery("SELECT strftime(max(decided_at), '%Y-%m-%dT%H:%M:%S.%fZ') FROM de")) {
                rs.next();
                latest = Instant.parse(rs.getString(1));
            }
        }
        AuditSchedule nrt = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 */5 * * * ?", ZoneId.of("UTC"),
                new WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, ORIGIN, Instant.parse("2026-02-01T00:00:00Z"), Duration.ofDays(30),
                Duration.ofDays(40), InputSource.sql("SELECT * FROM read_parquet('" + events + "/*.parquet');"),
                InputSource.files(decisions.toString()), generated.resolve("policies").toString(), "America/New_York", BigDecimal.ZERO,
                Duration.ofHours(1), tmp.resolve("runs"), Severity.ERROR, 2, Duration.ZERO, true, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-25T00:00:00Z"));
        try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "n1")) {
            PassReport first = node.once();
            assertThat(first.windows()).hasSize(1);
            WindowResult w = first.windows().get(0);
            assertThat(w.status()).as(w.message()).isEqualTo(WindowResult.Status.DONE);
            assertThat(w.exitStatus()).as("no bad input").isIn(0, 1);
            LedgerRow row = new WindowLedger(ctx.getBean(DataSource.class)).find("live", ORIGIN).orElseThrow();
            assertThat(row.seenRows()).as("every row the staging accepts").isEqualTo(rows);
            assertThat(row.watermark()).as("decided_at read in the assumed zone").isEqualTo(latest);

            clock.set(clock.instant().plus(Duration.ofMinutes(5)));
            assertThat(node.once().windows()).as("nothing new: no audit").isEmpty();
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
