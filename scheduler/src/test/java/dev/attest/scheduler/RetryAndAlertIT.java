package dev.attest.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.attest.jobs.audit.AuditIdentity;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditRequest;
import dev.attest.scheduler.config.AuditSchedule;
import dev.attest.scheduler.config.SchedulerConfig;
import dev.attest.scheduler.ledger.LedgerRow;
import dev.attest.scheduler.ledger.WindowLedger;
import dev.attest.scheduler.run.PassReport;
import dev.attest.scheduler.run.ScheduleService;
import dev.attest.scheduler.run.WindowResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Failed runs: a window whose write step fails restarts from that step on its next attempt (stage, rate and
 * reconcile are not run again) and completes once the cause is gone; a window that keeps failing is marked FAILED
 * after max_attempts and a run_failed alert reaches a local HTTP server as JSON. An alert that cannot be delivered
 * is reported (and makes the pass exit 3), never swallowed.
 */
class RetryAndAlertIT {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void aFailedRunRestartsFromItsFailedStepAndAfterMaxAttemptsIsMarkedFailedAndAlerted() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        URI hook = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        Path data = Fixtures.generate(tmp.resolve("data"), 400, 7);
        Path out = tmp.resolve("runs");
        ZoneId utc = ZoneId.of("UTC");
        Instant jan10 = Instant.parse("2026-01-10T00:00:00Z"), jan11 = Instant.parse("2026-01-11T00:00:00Z");
        AuditSchedule s = Fixtures.nightly("retrying", data, out, "0 0 1 * * ?", utc, jan10, Instant.parse("2026-01-12T00:00:00Z"),
                Duration.ZERO, Duration.ofDays(365), 3, Duration.ofMinutes(10), List.of(hook));
        // Obstruct both windows' run folders with a plain file: the write step's final rename fails.
        Path blockA = out.resolve(AuditIdentity.of(request(s, jan10, jan11, Instant.parse("2026-01-11T01:00:00Z"))).runId());
        Path blockB = out.resolve(AuditIdentity.of(request(s, jan11, Instant.parse("2026-01-12T00:00:00Z"), Instant.parse("2026-01-12T01:00:00Z"))).runId());
        Files.createDirectories(out);
        Files.writeString(blockA, "in the way");
        Files.writeString(blockB, "in the way");

        MutableClock clock = new MutableClock(Instant.parse("2026-01-12T02:00:00Z"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(s), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "node-a")) {
            PassReport first = node.once();
            assertThat(first.windows()).extracting(WindowResult::status).containsExactly(WindowResult.Status.RETRY, WindowResult.Status.RETRY);
            assertThat(first.windows().get(0).message()).contains("step write");
            assertThat(first.exitStatus()).isEqualTo(3);

            clock.set(clock.instant().plus(Duration.ofMinutes(5)));
            assertThat(node.once().windows()).as("before the retry delay nothing runs")
                    .extracting(WindowResult::status).containsOnly(WindowResult.Status.SKIPPED);

            Files.delete(blockB); // the cause of window B's failure is gone
            clock.set(clock.instant().plus(Duration.ofMinutes(6)));
            PassReport second = node.once();
            assertThat(second.windows()).extracting(WindowResult::status).containsExactly(WindowResult.Status.RETRY, WindowResult.Status.DONE);
            assertThat(second.windows().get(1).attempts()).isEqualTo(2);

            clock.set(clock.instant().plus(Duration.ofMinutes(11)));
            PassReport third = node.once();
            assertThat(third.windows()).extracting(WindowResult::status).containsExactly(WindowResult.Status.FAILED);
            assertThat(third.exitStatus()).isEqualTo(3);
            clock.set(clock.instant().plus(Duration.ofHours(1)));
            assertThat(node.once().windows()).as("a FAILED window is not tried again").isEmpty();

            WindowLedger ledger = new WindowLedger(ctx.getBean(DataSource.class));
            LedgerRow a = ledger.find("retrying", jan10).orElseThrow();
            assertThat(a.status()).isEqualTo(LedgerRow.Status.FAILED);
            assertThat(a.attempts()).isEqualTo(3);
            assertThat(ledger.find("retrying", jan11).orElseThrow().status()).isEqualTo(LedgerRow.Status.DONE);

            try (Connection c = ctx.getBean(DataSource.class).getConnection()) {
                for (String[] w : new String[][] {{jan10.toString(), "3"}, {jan11.toString(), "2"}}) {
                    String steps = "SELECT s.STEP_NAME FROM BATCH_STEP_EXECUTION s JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID "
                            + "AND p.PARAMETER_NAME = 'from' AND p.PARAMETER_VALUE = '" + w[0] + "' ";
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM (" + steps + "AND s.STEP_NAME = 'stage') x")).as("stage ran once for " + w[0]).isEqualTo(1);
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM (" + steps + "AND s.STEP_NAME = 'rate') x")).as("rate ran once").isEqualTo(1);
                    assertThat(Fixtures.count(c, "SELECT count(*) FROM (" + steps + "AND s.STEP_NAME = 'write') x"))
                            .as("write ran once per attempt for " + w[0]).isEqualTo(Long.parseLong(w[1]));
                }
            }
        }
        JsonMapper json = JsonMapper.builder().build();
        List<JsonNode> failed = bodies.stream().map(json::readTree).filter(n -> n.get("type").asString().equals("run_failed")).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("schedule").asString()).isEqualTo("retrying");
        assertThat(failed.get(0).get("window_start").asString()).isEqualTo(jan10.toString());
        assertThat(failed.get(0).get("attempts").asInt()).isEqualTo(3);
        assertThat(failed.get(0).get("failed_step").asString()).isEqualTo("write");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("ALERT run_failed schedule=retrying window=[" + jan10);

        // An alert that cannot be delivered (nothing listens) is reported and fails the pass.
        AuditSchedule deaf = Fixtures.nightly("deaf", data, out.resolve("deaf"), "0 0 1 * * ?", ZoneId.of("UTC"), jan10, jan11, Duration.ZERO,
                Duration.ofMinutes(30), 1, Duration.ZERO, List.of(URI.create("http://127.0.0.1:" + freePort() + "/nobody")));
        try (ConfigurableApplicationContext ctx = TestBoot.start(Fixtures.h2(tmp.resolve("meta2")));
             ScheduleService node = new ScheduleService(new SchedulerConfig(List.of(deaf), null, null, null, null), ctx.getBean(DataSource.class),
                     ctx.getBean(AuditLauncher.class), clock, new PrintStream(log, true, StandardCharsets.UTF_8), "node-b")) {
            PassReport r = node.once();
            assertThat(r.windows()).extracting(WindowResult::late).containsExactly(true);
            // The late run's alert (and the findings alert, when the window has findings) could not be delivered.
            assertThat(r.failedDeliveries()).isNotEmpty().allSatisfy(f -> assertThat(f).contains("not delivered to webhook"))
                    .anySatisfy(f -> assertThat(f).contains("late_run"));
            assertThat(r.exitStatus()).isEqualTo(3);
        }
    }

    private static AuditRequest request(AuditSchedule s, Instant from, Instant to, Instant asOf) {
        return new AuditRequest(s.events(), s.decisions(), s.policies(), s.out(), from, to, asOf, s.tolerance(), s.lateDecisionAfter(),
                s.failOn(), s.assumeZone());
    }

    private static int freePort() throws Exception {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
