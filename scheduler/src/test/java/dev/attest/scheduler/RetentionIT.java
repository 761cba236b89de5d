package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.engine.state.StatePrune;
import dev.attest.engine.state.StateStore;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retention (issue 16, item 10): a near-real-time span re-audited on every pass as its windows close keeps, with
 * {@code keep: {passes: 2}}, its first run, every run whose findings changed, its last two passes and the latest run
 * that audited each window (a pass from a carried state audits only the windows that closed); the other run
 * folders are deleted, the carried states no kept run refers to are removed, and every state a kept run refers to stays.
 * The ledger still counts every audit.
 */
class RetentionIT {
    static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void keepsTheLastPassesAndEveryChangeAndTheStatesTheyReferToOnH2() throws Exception {
        keepsTheLastPassesAndEveryChangeAndTheStatesTheyReferTo(Fixtures.h2(tmp.resolve("meta")));
    }

    /** The ledger (current run, audits) and the landings live in PostgreSQL in production. */
    @Test
    void keepsTheLastPassesAndEveryChangeAndTheStatesTheyReferToOnPostgres() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            keepsTheLastPassesAndEveryChangeAndTheStatesTheyReferTo(db.url());
        }
    }

    private void keepsTheLastPassesAndEveryChangeAndTheStatesTheyReferTo(String metadataUrl) throws Exception {
        Path generated = Fixtures.generate(tmp.resolve("generated"), 600, 5);
        Path live = tmp.resolve("live");
        Files.createDirectories(live.resolve("events"));
        Files.createDirectories(live.resolve("decisions"));
        Path out = tmp.resolve("runs");
        AuditSchedule nrt = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 0 0 * * ?", ZoneId.of("UTC"),
                new WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, ORIGIN, Instant.parse("2026-02-01T00:00:00Z"), Duration.ofDays(30),
                Duration.ofDays(40), InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                generated.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), out, Severity.INFO,
                2, Duration.ZERO, true, List.of()).withKeep(new AuditSchedule.Keep(2));
        MutableClock clock = new MutableClock(Instant.parse("2026-01-10T00:00:00Z"));
        List<String> runs = new ArrayList<>(); // run folder of each pass, in order
        try (ConfigurableApplicationContext ctx = TestBoot.start(metadataUrl);
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(nrt), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "n1")) {
            deliver(generated, live, "2025-12-01T00:00:00Z", "2026-01-10T00:00:00Z", "1");
            runs.add(pass(node));                                      // 0: the first run (Jan 1-10)
            for (int day = 11; day <= 14; day++) {                     // 1-4: a window closes, nothing arrived: same findings
                clock.set(Instant.parse("2026-01-" + day + "T00:00:00Z"));
                runs.add(pass(node));
            }
            deliver(generated, live, "2026-01-10T00:00:00Z", "2026-01-15T00:00:00Z", "2");
            clock.set(Instant.parse("2026-01-15T00:00:00Z"));
            runs.add(pass(node));                                      // 5: new events: findings changed
            for (int day = 16; day <= 18; day++) {                     // 6-8: same findings again
                clock.set(Instant.parse("2026-01-" + day + "T00:00:00Z"));
                runs.add(pass(node));
            }
            assertThat(digest(out, runs.get(5))).as("the data of 10-14 January brings findings").isNotEqualTo(digest(out, runs.get(4)));
            for (int i : new int[] {1, 2, 3, 4}) assertThat(digest(out, runs.get(i))).isEqualTo(digest(out, runs.get(0)));

            // Passes 1-4 and 6-8 audit only the window that closed, from the periods' state the pass before kept; pass 5
            // re-audits the whole span (its new rows belong to windows audited before). Pass 6 is the only run that
            // audited 15 January: the evidence of that window stays.
            assertThat(folders(out)).as("first run, the change, the last two passes, the latest run of each window")
                    .containsExactlyInAnyOrder(runs.get(0), runs.get(5), runs.get(6), runs.get(7), runs.get(8));
            LedgerRow row = new WindowLedger(ctx.getBean(DataSource.class)).find("live", ORIGIN).orElseThrow();
            assertThat(row.audits()).as("the ledger keeps every audit").isEqualTo(9);
            assertThat(Path.of(row.runDir()).getFileName().toString()).isEqualTo(runs.get(8));

            Set<String> referenced = StatePrune.referenced(out);
            Set<String> states = StateStore.list(out).stream().map(StateStore.Meta::id).collect(Collectors.toSet());
            assertThat(referenced).as("the kept runs carry states").isNotEmpty();
            assertThat(states).as("every state a kept run refers to stays, no other").isEqualTo(referenced);
            System.out.printf("retention: %d passes, %d run folders kept, %d carried states kept%n", runs.size(), folders(out).size(), states.size());
        }
    }

    private String pass(ScheduleService node) throws Exception {
        PassReport r = node.once();
        assertThat(r.windows()).hasSize(1);
        assertThat(r.windows().get(0).status()).as(r.windows().get(0).message()).isEqualTo(dev.attest.scheduler.run.WindowResult.Status.DONE);
        Path dir = r.windows().get(0).runDir();
        // Read now: retention may delete the folder on a later pass.
        digests.put(dir.getFileName().toString(),
                JsonMapper.builder().build().readTree(Files.readString(dir.resolve("schedule.json"))).path("findings_digest").asString());
        return dir.getFileName().toString();
    }

    private static void deliver(Path generated, Path live, String from, String to, String part) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
            st.execute("SET TimeZone='UTC'");
            st.execute("COPY (SELECT * REPLACE (event_time + INTERVAL 10 MINUTE AS ingested_at) FROM read_parquet('" + generated.resolve("events")
                    + "/*.parquet') WHERE event_time >= TIMESTAMPTZ '" + from + "' AND event_time < TIMESTAMPTZ '" + to + "') TO '"
                    + live.resolve("events/part-" + part + ".parquet") + "' (FORMAT parquet)");
            st.execute("COPY (SELECT * FROM read_parquet('" + generated.resolve("decisions") + "/*.parquet') WHERE decided_at >= TIMESTAMPTZ '"
                    + from + "' AND decided_at < TIMESTAMPTZ '" + to + "') TO '" + live.resolve("decisions/part-" + part + ".parquet") + "' (FORMAT parquet)");
        }
    }

    /** The findings digest the scheduler recorded in each run folder's schedule.json, by run folder. */
    private final java.util.Map<String, String> digests = new java.util.HashMap<>();

    private String digest(Path out, String run) {
        return digests.get(run);
    }

    private static List<String> folders(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList();
        }
    }
}
