package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.alert.Alert;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.run.WindowResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Nights of a nightly schedule (daily windows in Europe/Berlin, cron 02:00, allowance 1h, late after 30 min)
 * driven by a simulated clock, with seeded random downtime: the node misses fires and, when it comes back,
 * runs a start-up pass. Real ledger, real Batch JobRepository, real audits of generated data.
 */
final class MonthOfNights {
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    record Outcome(int windows, Set<Instant> late, int downtimes, int passes) {}

    static Outcome simulate(String metadataUrl, Path data, Path tmp, LocalDate first, int nights, long seed) throws Exception {
        Instant start = first.atStartOfDay(BERLIN).toInstant();
        Instant end = first.plusDays(nights).atStartOfDay(BERLIN).toInstant();
        Path out = tmp.resolve("runs");
        AuditSchedule nightly = Fixtures.nightly("nightly", data, out, "0 0 2 * * ?", BERLIN, start, end, Duration.ofHours(1),
                Duration.ofMinutes(30), 3, Duration.ZERO, List.of());
        SchedulerConfig config = new SchedulerConfig(List.of(nightly), Duration.ofSeconds(30), null, null, null);
        MutableClock clock = new MutableClock(start);
        Random rnd = new Random(seed);
        Set<Instant> expectedLate = new TreeSet<>();
        Set<Instant> done = new TreeSet<>();
        int downtimes = 0, passes = 0;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(metadataUrl);
             ScheduleService node = new ScheduleService(config, ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class), clock,
                     new PrintStream(log, true, StandardCharsets.UTF_8), "node-a")) {
            var plan = nightly.plan();
            Instant downUntil = null;
            for (int d = 1; d <= nights + 1; d++) {
                Instant fire = first.plusDays(d).atTime(2, 0).atZone(BERLIN).toInstant();
                if (downUntil != null && downUntil.isAfter(fire)) continue; // down: this fire is missed
                if (downUntil != null) {
                    // Back up: the start-up pass runs every window missed meanwhile, oldest first, flagged late.
                    passes += pass(node, clock, downUntil, plan, done, expectedLate);
                    downUntil = null;
                }
                if (d > 1 && d <= nights && rnd.nextDouble() < 0.25) {
                    downtimes++;
                    downUntil = fire.plus(Duration.ofDays(rnd.nextInt(3))).plus(Duration.ofHours(1 + rnd.nextInt(20)));
                    continue;
                }
                passes += pass(node, clock, fire.plusSeconds(rnd.nextInt(120)), plan, done, expectedLate);
                if (d == 3) passes += pass(node, clock, fire.plusSeconds(150), plan, done, expectedLate); // a second fire (sweep): nothing to do
            }
            if (downUntil != null) passes += pass(node, clock, downUntil, plan, done, expectedLate);

            List<Alert> alerts = node.alerts().sent();
            Set<Instant> alertedLate = new TreeSet<>();
            for (Alert a : alerts) if (a instanceof Alert.LateRun l) alertedLate.add(l.windowStart());
            assertThat(alertedLate).as("a late-run alert for each late window, and only for those").isEqualTo(expectedLate);

            List<LedgerRow> rows = new WindowLedger(ctx.getBean(DataSource.class)).rows("nightly");
            assertThat(rows).hasSize(nights);
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(LedgerRow.Status.DONE);
                assertThat(r.attempts()).isEqualTo(1);
            });
            Set<Instant> ledgerLate = new TreeSet<>();
            for (LedgerRow r : rows) if (r.late()) ledgerLate.add(r.windowStart());
            assertThat(ledgerLate).isEqualTo(expectedLate);

            try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                assertThat(Fixtures.count(c, "SELECT count(*) FROM BATCH_JOB_EXECUTION")).as("one audit run per window").isEqualTo(nights);
                List<String> froms = Fixtures.strings(c, "SELECT PARAMETER_VALUE FROM BATCH_JOB_EXECUTION_PARAMS WHERE PARAMETER_NAME = 'from' ORDER BY 1");
                List<String> expected = new ArrayList<>();
                for (int d = 0; d < nights; d++) expected.add(first.plusDays(d).atStartOfDay(BERLIN).toInstant().toString());
                assertThat(froms).as("every window audited exactly once").containsExactlyElementsOf(expected);
            }
            JsonMapper json = JsonMapper.builder().build();
            try (var dirs = Files.list(out)) {
                List<Path> folders = dirs.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).toList();
                assertThat(folders).hasSize(nights);
                for (Path f : folders) {
                    var facts = json.readTree(Files.readString(f.resolve("schedule.json")));
                    boolean late = facts.get("late").asBoolean();
                    assertThat(late).as(f + " says whether it ran late").isEqualTo(expectedLate.contains(Instant.parse(facts.get("window_start").asString())));
                    // The run's own summary.json says it too (pinned in its manifest, so verify reproduces it).
                    var summary = json.readTree(Files.readString(f.resolve("summary.json")));
                    assertThat(summary.get("parameters").get("context.late").asString()).isEqualTo(String.valueOf(late));
                    assertThat(summary.get("parameters").get("context.window_start").asString()).isEqualTo(facts.get("window_start").asString());
                    boolean noteSaysLate = false;
                    for (var n : summary.get("notes")) noteSaysLate |= n.asString().startsWith("ran late: ");
                    assertThat(noteSaysLate).as(f + "/summary.json notes say it ran late").isEqualTo(late);
                }
            }
        }
        return new Outcome(nights, expectedLate, downtimes, passes);
    }

    /** One pass at {@code now}; records what the ledger must then say: windows due by now run now, late when now > due + 30 min. */
    private static int pass(ScheduleService node, MutableClock clock, Instant now, dev.attest.scheduler.window.WindowPlan plan,
                            Set<Instant> done, Set<Instant> expectedLate) {
        clock.set(now);
        PassReport r = node.once();
        for (var w : plan.due(null, now, 1000)) {
            if (done.add(w.start()) && now.isAfter(w.dueAt().plus(Duration.ofMinutes(30)))) expectedLate.add(w.start());
        }
        for (WindowResult w : r.windows()) assertThat(w.status()).as(w.message()).isEqualTo(WindowResult.Status.DONE);
        assertThat(r.windows()).extracting(w -> w.window().start()).isSorted();
        return 1;
    }
}
