package dev.attest.app;

import dev.attest.core.findings.Severity;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code attest bench --near-real-time}: what a near-real-time pass costs (issue 16). From generated data, a live
 * feed in date partitions holds the events of 1-30 January (with their decisions); one schedule with hourly windows
 * watches it. Pass 1 audits the month to date (the cost without a carried state); pass 2, with nothing new, starts no
 * audit; then the events of the next hours (about {@code --new-events}) land in new files, and pass 3 audits only the
 * windows that closed, from the periods' state pass 1 kept. Prints each pass's wall time (reading the arrivals included)
 * and its audit's time. One JVM, started once, as a long-lived {@code attest schedule} node is.
 */
final class NrtBench {
    static final Instant MONTH = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant T0 = Instant.parse("2026-01-31T00:00:00Z");

    private NrtBench() {}

    static int run(Path root, GeneratedData data, long newEvents) throws Exception {
        Path live = root.resolve("live");
        dev.attest.io.Folders.deleteTree(live);
        dev.attest.io.Folders.deleteTree(root.resolve("nrt-runs"));
        try (var old = Files.list(root)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("metadata-nrt")).toList()) Files.delete(p);
        }
        long initial, batch;
        Instant t1;
        try (Duck duck = Duck.inMemory()) {
            duck.execute("SET TimeZone='UTC'");
            duck.execute("CREATE TABLE ev AS SELECT * FROM read_parquet(" + Duck.literal(data.dir().resolve("events") + "/**/*.parquet")
                    + ", hive_partitioning = false)");
            duck.execute("CREATE TABLE de AS SELECT d.*, coalesce(e.t, d.decided_at) AS __t FROM read_parquet(" + Duck.literal(data.dir().resolve("decisions")
                    + "/**/*.parquet") + ", hive_partitioning = false) d LEFT JOIN (SELECT event_id, min(event_time) AS t FROM ev GROUP BY event_id) e "
                    + "ON e.event_id = d.event_id");
            // Whole hours from T0 until about newEvents have happened (usage is not spread evenly over the day).
            long hours = 1;
            while (hours < 24 * 10 && duck.queryLong("SELECT count(*) FROM ev WHERE event_time >= " + ts(T0) + " AND event_time < "
                    + ts(T0.plus(Duration.ofHours(hours)))) < newEvents) hours++;
            t1 = T0.plus(Duration.ofHours(hours));
            initial = write(duck, live, MONTH, T0, "part-0");
            batch = -1;
            System.out.printf("events           %,d in the month to date (1-30 January), in %s%n", initial, live);
            try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.h2(root.resolve("metadata-nrt")))) {
                AuditSchedule s = new AuditSchedule("bench-live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 * * * * ?", ZoneId.of("UTC"),
                        new WindowSpec.Fixed(Duration.ofHours(1)), Duration.ZERO, MONTH, Instant.parse("2026-02-01T00:00:00Z"), Duration.ofDays(3650),
                        null, InputSource.files(live.resolve("events").toString()), InputSource.files(live.resolve("decisions").toString()),
                        data.dir().resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), root.resolve("nrt-runs"), Severity.CRITICAL,
                        1, Duration.ZERO, false, List.of(), data.customers());
                AtomicReference<Instant> now = new AtomicReference<>(T0.plusSeconds(30));
                Clock clock = new Clock() {
                    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
                    @Override public Clock withZone(ZoneId zone) { return this; }
                    @Override public Instant instant() { return now.get(); }
                };
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                try (ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(s), null, null, null, null), ctx.getBean(DataSource.class),
                        ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "bench")) {
                    System.out.println("pass                                   wall s  audit s  audits  from state");
                    pass(node, "1 month to date, no state", log);
                    now.set(T0.plus(Duration.ofMinutes(5)));
                    pass(node, "2 nothing new", log);
                    batch = write(duck, live, T0, t1, "part-1");
                    now.set(t1.plusSeconds(30));
                    double[] tail = pass(node, "3 " + String.format("%,d", batch) + " new events", log);
                    System.out.printf("new events       %,d in %d hour(s) from %s, in new files%n", batch, hours, T0);
                    System.out.printf("pass after %,d new events: %.2f s audit (target <= 3 s), %.2f s pass wall time%n", batch, tail[1], tail[0]);
                }
            }
        }
        return 0;
    }

    /** One tick; returns {wall s, audit s}. */
    private static double[] pass(ScheduleService node, String label, ByteArrayOutputStream log) throws Exception {
        long t = System.nanoTime();
        PassReport r = node.once();
        double wall = (System.nanoTime() - t) / 1e9;
        double audit = 0;
        boolean fromState = false;
        for (WindowResult w : r.windows()) {
            if (w.status() != WindowResult.Status.DONE) {
                System.err.print(log.toString(StandardCharsets.UTF_8));
                throw new IllegalStateException("near-real-time pass: " + w.status() + " " + w.message());
            }
            JsonNode timing = JsonMapper.builder().build().readTree(Files.readString(w.runDir().resolve("timing.json")));
            audit += Duration.between(Instant.parse(timing.get("started_at").asString()), Instant.parse(timing.get("finished_at").asString())).toMillis() / 1e3;
            fromState |= w.message().contains("from the periods' state");
        }
        System.out.printf("%-38s %6.2f  %7.2f  %6d  %s%n", label, wall, audit, r.windows().size(), r.windows().isEmpty() ? "-" : fromState ? "yes" : "no");
        return new double[] {wall, audit};
    }

    /** Writes the events of [from, to) and the decisions that belong there (their event's time, else decided_at) into date partitions. */
    private static long write(Duck duck, Path live, Instant from, Instant to, String name) throws Exception {
        String events = "SELECT * FROM ev WHERE event_time >= " + ts(from) + " AND event_time < " + ts(to);
        String decisions = "SELECT * EXCLUDE (__t) FROM de WHERE __t >= " + ts(from) + " AND __t < " + ts(to);
        long n = 0;
        for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT strftime(event_time, '%Y-%m-%d') AS d FROM (" + events + ") ORDER BY 1")) {
            Path f = Files.createDirectories(live.resolve("events").resolve("date=" + r.get("d"))).resolve(name + ".parquet");
            duck.execute("COPY (" + events + " AND strftime(event_time, '%Y-%m-%d') = " + Duck.literal((String) r.get("d")) + " ORDER BY event_time) TO "
                    + Duck.literal(f.toString()) + " (FORMAT parquet)");
        }
        for (Map<String, Object> r : duck.queryRows("SELECT DISTINCT strftime(decided_at, '%Y-%m-%d') AS d FROM (" + decisions + ") ORDER BY 1")) {
            Path f = Files.createDirectories(live.resolve("decisions").resolve("date=" + r.get("d"))).resolve(name + ".parquet");
            duck.execute("COPY (" + decisions + " AND strftime(decided_at, '%Y-%m-%d') = " + Duck.literal((String) r.get("d")) + " ORDER BY decided_at) TO "
                    + Duck.literal(f.toString()) + " (FORMAT parquet)");
        }
        n = duck.queryLong("SELECT count(*) FROM (" + events + ")");
        return n;
    }

    private static String ts(Instant t) {
        return "TIMESTAMPTZ '" + t + "'";
    }
}
