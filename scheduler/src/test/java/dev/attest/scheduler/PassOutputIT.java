package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.Claim;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.window.Window;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a pass prints (issue 16, item 8): lateness as people write it, the first failed attempt printed even when
 * the retry follows at once (retry_delay 0), and a summary that does not count as handled the windows another
 * node holds.
 */
class PassOutputIT {
    @TempDir
    Path tmp;

    @Test
    void latenessIsHumanFailedAttemptsArePrintedAndSkippedWindowsAreNotHandled() throws Exception {
        Path data = Fixtures.generate(tmp.resolve("data"), 200, 3);
        Instant jan10 = Instant.parse("2026-01-10T00:00:00Z");
        AuditSchedule late = Fixtures.nightly("late", data, tmp.resolve("runs"), "0 0 1 * * ?", ZoneId.of("UTC"), jan10,
                Instant.parse("2026-01-11T00:00:00Z"), Duration.ZERO, Duration.ofMinutes(15), 1, Duration.ZERO, List.of());
        AuditSchedule broken = Fixtures.nightly("broken", tmp.resolve("no-such-data"), tmp.resolve("runs-broken"), "0 0 1 * * ?", ZoneId.of("UTC"),
                jan10, Instant.parse("2026-01-11T00:00:00Z"), Duration.ZERO, Duration.ofMinutes(15), 2, Duration.ZERO, List.of());
        AuditSchedule held = Fixtures.nightly("held", data, tmp.resolve("runs-held"), "0 0 1 * * ?", ZoneId.of("UTC"), jan10,
                Instant.parse("2026-01-11T00:00:00Z"), Duration.ZERO, Duration.ofMinutes(15), 1, Duration.ZERO, List.of());
        MutableClock clock = new MutableClock(Instant.parse("2026-01-12T03:30:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(late, broken, held), null, null, null, null),
                     ctx.getBean(DataSource.class), ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "me")) {
            // Another live node holds the 'held' window.
            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class)).create();
            Instant due = Instant.parse("2026-01-11T01:00:00Z");
            assertThat(ledger.claim("held", new Window(jan10, Instant.parse("2026-01-11T00:00:00Z"), due), "other", clock.instant(),
                    Duration.ofHours(1), 1, due)).isInstanceOf(Claim.Claimed.class);
            PassReport r = node.once();
            String out = log.toString(StandardCharsets.UTF_8);
            assertThat(out).as("due 2026-01-11T01:00Z, started 2026-01-12T03:30Z").contains("(1 d 2 h late)").doesNotContain(" s late)");
            assertThat(out).as("the first failed attempt is printed, then the last").contains("RUN RETRY   schedule=broken")
                    .contains("RUN FAILED  schedule=broken");
            assertThat(out).contains("RUN SKIPPED schedule=held");
            assertThat(r.summary()).startsWith("2 window(s) handled, 1 skipped (held by another node or waiting for a retry); exit status 3");
            System.out.println(out);
        }
    }
}
