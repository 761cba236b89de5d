package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.lifecycle.LifecycleStore;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.Claim;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.quartz.QuartzSchema;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.window.Window;
import dev.attest.scheduler.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The scheduler on PostgreSQL, the production metadata store (own database per test, dropped after): the ledger,
 * Batch and Quartz schemas are created on first start; claims are exclusive under concurrent claimers; a
 * simulated stretch of nights with downtime audits each window exactly once; real Quartz fires the cron on the
 * JDBC store, and the scheduling delay (due time -> audit start) is measured.
 */
class PostgresSchedulerIT {
    @TempDir
    Path tmp;

    @Test
    void nightsWithRandomDowntimeAreEachAuditedExactlyOnceOnPostgres() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            Path data = Fixtures.generate(tmp.resolve("data"), 400, 9);
            MonthOfNights.Outcome o = MonthOfNights.simulate(db.url(), data, tmp, LocalDate.parse("2026-02-01"), 10, 77L);
            System.out.printf("nights on PostgreSQL: %d windows, %d downtime(s), %d late%n", o.windows(), o.downtimes(), o.late().size());
            assertThat(o.downtimes()).isPositive();
        }
    }

    @Test
    void concurrentClaimersNeverHoldTheSameWindowAndAnExpiredLeaseIsTakenOver() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create();
             ConfigurableApplicationContext ctx = TestBoot.start(db.url())) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            new WindowLedger(ctx.getBean(DataSource.class)).create(); // idempotent
            Instant now = Instant.parse("2026-03-01T00:00:00Z");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Window> windows = new ArrayList<>();
            for (int i = 0; i < 20; i++)
                windows.add(new Window(now.plus(Duration.ofHours(i)), now.plus(Duration.ofHours(i + 1)), now.plus(Duration.ofHours(i + 1))));
            List<Future<Claim>> claims = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (Window w : windows)
                for (int n = 0; n < 4; n++) {
                    String node = "node-" + n;
                    claims.add(pool.submit(() -> {
                        go.await();
                        return ledger.claim("race", w, node, now, Duration.ofSeconds(30), 3, w.dueAt());
                    }));
                }
            go.countDown();
            int claimed = 0;
            for (Future<Claim> f : claims) if (f.get() instanceof Claim.Claimed) claimed++;
            pool.shutdown();
            assertThat(claimed).as("exactly one of four claimers holds each window").isEqualTo(windows.size());

            Window w = windows.get(0);
            String holder = ledger.find("race", w.start()).orElseThrow().node();
            assertThat(ledger.claim("race", w, "other", now.plusSeconds(29), Duration.ofSeconds(30), 3, w.dueAt())).isInstanceOf(Claim.Busy.class);
            assertThat(ledger.heartbeat("race", w.start(), holder, now.plusSeconds(60))).isTrue();
            assertThat(ledger.claim("race", w, "other", now.plusSeconds(45), Duration.ofSeconds(30), 3, w.dueAt())).as("renewed lease holds")
                    .isInstanceOf(Claim.Busy.class);
            Claim taken = ledger.claim("race", w, "other", now.plusSeconds(61), Duration.ofSeconds(30), 3, w.dueAt());
            assertThat(taken).as("after the lease runs out another node takes over").usingRecursiveComparison().ignoringFields("epoch").isEqualTo(new Claim.Claimed(2, w.dueAt(), 0));
            assertThat(ledger.heartbeat("race", w.start(), holder, now.plusSeconds(90))).as("the old holder lost it").isFalse();
        }
    }

    @Test
    void quartzFiresTheCronOnTheJdbcStoreAndEachWindowRunsOnceWithAMeasuredDelay() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            Path data = Fixtures.generate(tmp.resolve("data"), 200, 3);
            Instant start = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 2 + 3) * 2);
            int windows = 5;
            AuditSchedule live = new AuditSchedule("ticks", AuditSchedule.Mode.WINDOWS, "*/2 * * * * ?", ZoneId.of("UTC"),
                    new WindowSpec.Fixed(Duration.ofSeconds(2)), Duration.ZERO, start, start.plusSeconds(2L * windows), Duration.ofSeconds(30),
                    null, dev.attest.io.input.InputSource.files(data.resolve("events").toString()),
                    dev.attest.io.input.InputSource.files(data.resolve("decisions").toString()), data.resolve("policies").toString(), null,
                    null, null, tmp.resolve("runs"), null, 2, Duration.ZERO, true, List.of());
            SchedulerConfig config = new SchedulerConfig(List.of(live), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2), null);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (ConfigurableApplicationContext ctx = TestBoot.start(db.url());
                 ScheduleService node = new ScheduleService(config, ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class),
                         Clock.systemUTC(), new PrintStream(log, true, StandardCharsets.UTF_8), "pg-node")) {
                CountDownLatch stop = new CountDownLatch(1);
                Thread serving = new Thread(() -> {
                    try {
                        node.serve("attest-it", stop);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                serving.start();
                WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && ledger.rows("ticks").stream().filter(r -> r.status() == LedgerRow.Status.DONE).count() < windows)
                    Thread.sleep(200);
                stop.countDown();
                serving.join(30_000);
                List<LedgerRow> rows = ledger.rows("ticks");
                assertThat(rows).as(log.toString(StandardCharsets.UTF_8)).hasSize(windows).allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo(LedgerRow.Status.DONE);
                    assertThat(r.late()).isFalse();
                });
                List<Long> delays = rows.stream().map(r -> Duration.between(r.dueAt(), r.startedAt()).toMillis()).sorted().toList();
                System.out.printf("scheduling delay on PostgreSQL (due time -> audit start), %d windows: median %d ms, max %d ms; load average %.1f on %d cores%n",
                        delays.size(), delays.get(delays.size() / 2), delays.get(delays.size() - 1),
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
                try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM BATCH_JOB_EXECUTION")).isEqualTo(windows);
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM QRTZ_CRON_TRIGGERS WHERE TRIGGER_NAME = 'ticks'")).as("the trigger lives in the JDBC store").isEqualTo(1);
                }
            }
        }
    }

    /**
     * Nodes starting together on an empty database all create Attest's own tables (window ledger, finding
     * lifecycle, Quartz's) at once. PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe under that race (the loser
     * fails on pg_type's unique index; CI saw a cluster node die of it), so every start must still succeed, each
     * table created once. Several rounds, each on a fresh database, because a race shows only sometimes.
     */
    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseAllCreateTheSchema() throws Exception {
        int nodes = 4, rounds = 6;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int round = 0; round < rounds; round++) {
                try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
                    DataSource ds = new DriverManagerDataSource(db.url());
                    CyclicBarrier together = new CyclicBarrier(nodes);
                    List<Future<?>> starts = new ArrayList<>();
                    for (int n = 0; n < nodes; n++)
                        starts.add(pool.submit(() -> {
                            together.await();
                            new WindowLedger(ds).create();
                            new LifecycleStore(ds).ensureSchema();
                            QuartzSchema.ensure(ds);
                            return null;
                        }));
                    for (Future<?> f : starts) f.get();
                    try (Connection c = ds.getConnection(); var st = c.createStatement();
                         var rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                                 + "AND lower(table_name) IN ('attest_window', 'finding_runs', 'finding_history', 'finding_decisions', 'qrtz_locks')")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("round %d: each table exists once", round).isEqualTo(5);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Runs of overlapping windows (a nightly audit, a re-audit, a near-real-time span) report the same findings and
     * may finish together on different nodes. Each run's sightings are counted, first and last seen are the
     * earliest and latest as-of, and no run fails on another's history row.
     */
    @Test
    void runsRecordedTogetherOnDifferentNodesAreEachCountedInTheFindingHistory() throws Exception {
        int runs = 4, rounds = 3;
        java.util.Map<String, String> fingerprints = new java.util.LinkedHashMap<>();
        for (int f = 0; f < 300; f++) fingerprints.put("fp%04d".formatted(f), "AMOUNT_MISMATCH");
        Instant march = Instant.parse("2026-03-01T00:00:00Z");
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            for (int round = 0; round < rounds; round++) {
                try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
                    DataSource ds = new DriverManagerDataSource(db.url());
                    new LifecycleStore(ds).ensureSchema();
                    CyclicBarrier together = new CyclicBarrier(runs);
                    List<Future<?>> records = new ArrayList<>();
                    for (int r = 0; r < runs; r++) {
                        int run = r;
                        records.add(pool.submit(() -> {
                            LifecycleStore node = new LifecycleStore(ds);
                            together.await();
                            return node.recordRun("run-" + run, march.plus(Duration.ofDays(run)), march.plus(Duration.ofDays(30)), fingerprints);
                        }));
                    }
                    for (Future<?> f : records) f.get();
                    LifecycleStore store = new LifecycleStore(ds);
                    for (String fp : List.of("fp0000", "fp0150", "fp0299")) {
                        var h = store.history(fp).orElseThrow();
                        assertThat(h.timesSeen()).as("round %d, %s: seen by every run", round, fp).isEqualTo(runs);
                        assertThat(h.firstSeenRun()).isEqualTo("run-0");
                        assertThat(h.lastSeenRun()).isEqualTo("run-" + (runs - 1));
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
