package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.window.WindowSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The default metadata store, an H2 file: Quartz's tables are created on first start (and kept on the next),
 * the long-lived scheduler fires the cron from the JDBC store, and each window runs once.
 */
class QuartzH2IT {
    @TempDir
    Path tmp;

    @Test
    void theLongLivedSchedulerFiresFromTheH2JobStoreAndKeepsItsTablesAcrossRestarts() throws Exception {
        Path data = Fixtures.generate(tmp.resolve("data"), 200, 2);
        String url = Fixtures.h2(tmp.resolve("meta"));
        for (int round = 0; round < 2; round++) {
            Instant start = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 2 + 2) * 2);
            int windows = 3;
            AuditSchedule ticks = new AuditSchedule("ticks" + round, AuditSchedule.Mode.WINDOWS, "*/2 * * * * ?", ZoneId.of("UTC"),
                    new WindowSpec.Fixed(Duration.ofSeconds(2)), Duration.ZERO, start, start.plusSeconds(2L * windows), Duration.ofSeconds(30), null,
                    InputSource.files(data.resolve("events").toString()), InputSource.files(data.resolve("decisions").toString()),
                    data.resolve("policies").toString(), null, null, null, tmp.resolve("runs"), null, 2, Duration.ZERO, true, List.of());
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try (ConfigurableApplicationContext ctx = TestBoot.start(url);
                 ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(ticks), Duration.ofSeconds(10), Duration.ofSeconds(5), null, null),
                         ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class), Clock.systemUTC(),
                         new PrintStream(log, true, StandardCharsets.UTF_8), "h2-node-" + round)) {
                CountDownLatch stop = new CountDownLatch(1);
                Thread serving = new Thread(() -> {
                    try {
                        node.serve("attest-h2", stop);
                    } catch (Exception e) {
                        log.writeBytes(("serve failed: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                });
                serving.start();
                WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (System.nanoTime() < deadline && ledger.rows(ticks.name()).stream().filter(r -> r.status() == LedgerRow.Status.DONE).count() < windows)
                    Thread.sleep(200);
                stop.countDown();
                serving.join(30_000);
                assertThat(ledger.rows(ticks.name())).as(log.toString(StandardCharsets.UTF_8)).hasSize(windows)
                        .allSatisfy(r -> assertThat(r.status()).isEqualTo(LedgerRow.Status.DONE));
                try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM QRTZ_JOB_DETAILS")).as("the jobs of this configuration only").isEqualTo(1);
                }
            }
        }
    }
}
