package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.Severity;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditIdentity;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.jobs.audit.AuditWorkspace;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.Claim;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.run.WindowResult;
import dev.attest.scheduler.window.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Fencing after a pause (issue 16, item 3), on H2 and PostgreSQL. A node that takes a window over while the former
 * holder (paused past its lease) still holds the audit's workspace waits for it with a growing delay instead of
 * burning its attempts; the former holder, whose claim was taken, finishes its audit but publishes nothing (the
 * claim's epoch is checked right before the run folder's rename) and cannot finish the ledger row; the new holder
 * restarts the same Batch job and publishes the one run folder.
 */
class FencingIT {
    static final Instant JAN10 = Instant.parse("2026-01-10T00:00:00Z"), JAN11 = Instant.parse("2026-01-11T00:00:00Z"),
            JAN12 = Instant.parse("2026-01-12T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void fencingOnH2() throws Exception {
        fencing(Fixtures.h2(tmp.resolve("meta")));
    }

    @Test
    void fencingOnPostgres() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            fencing(db.url());
        }
    }

    private void fencing(String url) throws Exception {
        Path data = Fixtures.generate(tmp.resolve("data"), 300, 4);
        Path out = tmp.resolve("runs");
        AuditSchedule s = Fixtures.nightly("fenced", data, out, "0 0 1 * * ?", ZoneId.of("UTC"), JAN10, JAN12, Duration.ZERO,
                Duration.ofDays(365), 3, Duration.ZERO, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-10T12:00:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Duration lease = Duration.ofHours(1);
        SchedulerConfig config = new SchedulerConfig(List.of(s), lease, null, null, null);
        try (ConfigurableApplicationContext ctx = TestBoot.start(url);
             ScheduleService q = new ScheduleService(config, ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class), clock,
                     new PrintStream(log, true, StandardCharsets.UTF_8), "q")) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            AuditLauncher launcher = ctx.getBean(AuditLauncher.class);

            // 1. The first window's workspace is held (by the former holder, still auditing): the taker waits.
            clock.set(Instant.parse("2026-01-11T02:00:00Z"));
            Instant due10 = Instant.parse("2026-01-11T01:00:00Z");
            AuditWorkspace ws = AuditWorkspace.of(out, AuditIdentity.of(request(data, out, JAN10, JAN11, due10)).digest()).create();
            List<Duration> waits = new ArrayList<>();
            try (FileChannel ch = FileChannel.open(ws.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
                for (int i = 0; i < 5; i++) {
                    PassReport r = q.passes().run("fenced");
                    assertThat(r.windows()).hasSize(1);
                    assertThat(r.windows().get(0).status()).as(r.windows().get(0).message()).isEqualTo(WindowResult.Status.SKIPPED);
                    assertThat(r.windows().get(0).message()).contains("workspace held by another process");
                    LedgerRow row = ledger.find("fenced", JAN10).orElseThrow();
                    assertThat(row.status()).isEqualTo(LedgerRow.Status.RETRY);
                    assertThat(row.attempts()).as("waiting uses up no attempt").isZero();
                    waits.add(Duration.between(clock.instant(), row.notBefore()));
                    clock.set(row.notBefore());
                }
            }
            assertThat(waits).as("the wait doubles").containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(8), Duration.ofSeconds(16));
            PassReport freed = q.passes().run("fenced");
            assertThat(freed.windows()).extracting(WindowResult::status).containsExactly(WindowResult.Status.DONE);
            assertThat(ledger.find("fenced", JAN10).orElseThrow().attempts()).isEqualTo(1);

            // 2. The second window: node p claims it, pauses past its lease; q takes it over (claim 2).
            Instant due11 = Instant.parse("2026-01-12T01:00:00Z");
            Window w11 = new Window(JAN11, JAN12, due11);
            clock.set(Instant.parse("2026-01-12T02:00:00Z"));
            Claim.Claimed p = (Claim.Claimed) ledger.claim("fenced", w11, "p", clock.instant(), lease, 3, due11);
            // p starts its audit holding the claim, then pauses past its lease; meanwhile q takes the window over (claim 2).
            java.util.concurrent.atomic.AtomicReference<Claim.Claimed> takenRef = new java.util.concurrent.atomic.AtomicReference<>();
            AuditOutcome resumed = launcher.run(request(data, out, JAN11, JAN12, due11), Map.of("schedule", "fenced"), () -> {
                String why = ledger.lost("fenced", JAN11, "p", p.epoch());
                if (takenRef.get() == null) { // the check before starting: p still holds it, and pauses right after
                    clock.set(clock.instant().plus(lease).plusSeconds(1));
                    takenRef.set((Claim.Claimed) ledger.claim("fenced", w11, "q-taker", clock.instant(), lease, 3, due11));
                }
                return why;
            });
            Claim.Claimed taken = takenRef.get();
            assertThat(taken.epoch()).isGreaterThan(p.epoch());
            // p resumed and completed its audit: fenced, it publishes nothing and cannot record the window.
            assertThat(resumed).isInstanceOf(AuditOutcome.Failed.class);
            assertThat(((AuditOutcome.Failed) resumed).message()).contains("not published").contains("lost its claim");
            assertThat(NearRealTimePassCostIT.runFolders(out)).as("only the first window's folder").isEqualTo(1);
            assertThat(ledger.finish("fenced", JAN11, "p", p.epoch(), new WindowLedger.Finish(LedgerRow.Status.DONE, JAN12, clock.instant(),
                    false, "x", 0, null, null, null, 0))).isFalse();
            assertThat(ledger.heartbeat("fenced", JAN11, "p", p.epoch(), clock.instant().plus(lease))).isFalse();
            // The taker's attempt: here it gives the claim back (as if its workspace had been held), and node q restarts the job.
            assertThat(ledger.release("fenced", JAN11, "q-taker", taken.epoch(), clock.instant(), "test")).isTrue();
            PassReport done = q.passes().run("fenced");
            assertThat(done.windows()).extracting(WindowResult::status).as(log.toString(StandardCharsets.UTF_8)).containsExactly(WindowResult.Status.DONE);
            assertThat(NearRealTimePassCostIT.runFolders(out)).as("one run folder per window").isEqualTo(2);
            LedgerRow row = ledger.find("fenced", JAN11).orElseThrow();
            assertThat(row.status()).isEqualTo(LedgerRow.Status.DONE);
            assertThat(row.node()).isEqualTo("q");
            // attest runs after the takeover (item 7): the fenced attempt is listed under its schedule, beside the taker's.
            List<dev.attest.scheduler.history.RunHistory.Run> runs = new dev.attest.scheduler.history.RunHistory(
                    ctx.getBean(org.springframework.batch.core.repository.JobRepository.class), ledger).list("fenced", 20);
            assertThat(runs).filteredOn(r -> JAN11.equals(r.from())).extracting(dev.attest.scheduler.history.RunHistory.Run::status)
                    .as("the fenced attempt and the taker's restart").containsExactly("COMPLETED", "FAILED");
            assertThat(runs).allSatisfy(r -> assertThat(r.schedule()).isEqualTo("fenced"));
            System.out.printf("fencing: taker waited %s without using attempts; the fenced holder published nothing%n", waits);
        }
    }

    @Test
    void nearRealTimeWaitsForAHeldWorkspaceOnH2() throws Exception {
        nearRealTimeWaits(Fixtures.h2(tmp.resolve("meta-nrt")));
    }

    @Test
    void nearRealTimeWaitsForAHeldWorkspaceOnPostgres() throws Exception {
        try (Fixtures.PgDatabase db = Fixtures.PgDatabase.create()) {
            nearRealTimeWaits(db.url());
        }
    }

    /**
     * The near-real-time runner finds a span's workspace held (a former holder paused past its lease, still auditing):
     * it waits with the same doubling delay as the nightly runner and uses up no attempt, so the span does not end
     * FAILED after max_attempts passes; once the workspace is free the next pass audits it.
     */
    private void nearRealTimeWaits(String url) throws Exception {
        Path data = Fixtures.generate(tmp.resolve("data"), 300, 4);
        Path out = tmp.resolve("live");
        AuditSchedule s = new AuditSchedule("live", AuditSchedule.Mode.NEAR_REAL_TIME, "0 */5 * * * ?", ZoneId.of("UTC"),
                new dev.attest.scheduler.window.WindowSpec.Fixed(Duration.ofDays(1)), Duration.ZERO, JAN10.minus(Duration.ofDays(9)),
                Instant.parse("2026-02-01T00:00:00Z"), Duration.ofDays(30), Duration.ofDays(40),
                InputSource.files(data.resolve("events").toString()), InputSource.files(data.resolve("decisions").toString()),
                data.resolve("policies").toString(), null, BigDecimal.ZERO, Duration.ofHours(1), out, Severity.ERROR,
                2, Duration.ZERO, true, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-12T00:00:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(url);
             ScheduleService q = new ScheduleService(new SchedulerConfig(List.of(s), Duration.ofHours(1), null, null, null),
                     ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "q")) {
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            Instant spanStart = s.plan().origin();
            Window span = new Window(spanStart, JAN12, s.plan().dueAt(JAN12));
            AuditRequest first = dev.attest.scheduler.nrt.NrtRunner.request(s, span, clock.instant());
            AuditWorkspace ws = AuditWorkspace.of(out, AuditIdentity.of(first).digest()).create();
            List<Duration> waits = new ArrayList<>();
            try (FileChannel ch = FileChannel.open(ws.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
                for (int i = 0; i < 4; i++) {
                    PassReport r = q.passes().run("live");
                    assertThat(r.windows()).as(log.toString(StandardCharsets.UTF_8)).hasSize(1);
                    assertThat(r.windows().get(0).status()).as(r.windows().get(0).message()).isEqualTo(WindowResult.Status.SKIPPED);
                    assertThat(r.windows().get(0).message()).contains("workspace held by another process");
                    LedgerRow row = ledger.find("live", spanStart).orElseThrow();
                    assertThat(row.status()).isEqualTo(LedgerRow.Status.RETRY);
                    assertThat(row.attempts()).as("waiting uses up no attempt").isZero();
                    waits.add(Duration.between(clock.instant(), row.notBefore()));
                    // Before its retry is due a pass leaves the span alone.
                    assertThat(q.passes().run("live").windows()).isEmpty();
                    clock.set(row.notBefore());
                }
            }
            assertThat(waits).as("the wait doubles").containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                    Duration.ofSeconds(8));
            PassReport freed = q.passes().sweep("live");
            assertThat(freed.windows()).extracting(WindowResult::status).as(log.toString(StandardCharsets.UTF_8))
                    .containsExactly(WindowResult.Status.DONE);
            LedgerRow row = ledger.find("live", spanStart).orElseThrow();
            assertThat(row.status()).isEqualTo(LedgerRow.Status.DONE);
            assertThat(row.attempts()).isEqualTo(1);
            assertThat(NearRealTimePassCostIT.runFolders(out)).isEqualTo(1);
            System.out.printf("near-real-time fencing: waited %s without using attempts, then audited once%n", waits);
        }
    }

    private static AuditRequest request(Path data, Path out, Instant from, Instant to, Instant asOf) {
        return new AuditRequest(InputSource.files(data.resolve("events").toString()), InputSource.files(data.resolve("decisions").toString()),
                data.resolve("policies").toString(), out, from, to, asOf, BigDecimal.ZERO, Duration.ofHours(1), Severity.ERROR, null, null, null);
    }
}
