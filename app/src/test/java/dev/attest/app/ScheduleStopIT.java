package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM of a long-lived `attest schedule` (issue 16, items 4 and 5), as a child JVM on an H2 file: an idle node
 * stops at once (its stop hook no longer waits a fixed 60 s for a main thread blocked in System.exit); a node
 * auditing a window claims nothing more, lets that audit finish and records it DONE (Spring's own hook no longer
 * closes the connection pool under it), then exits. Times are printed, not asserted.
 */
class ScheduleStopIT {
    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) p.destroyForcibly().waitFor();
    }

    @Test
    void sigtermStopsAnIdleNodeAndLetsTheRunningWindowFinish() throws Exception {
        new Generator(2, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("data"), 150_000, 13);
        String metadata = Metadata.h2(tmp.resolve("meta"));
        Path idleConfig = tmp.resolve("idle.yaml");
        Files.writeString(idleConfig, """
                sweep: 1s
                schedules:
                  - name: idle
                    cron: "0 0 6 1 * ?"
                    window: { unit: month }
                    start: 2030-01-01
                    inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                    out: runs-idle
                """);
        Process idle = start("idle", idleConfig, metadata);
        waitForLog("idle", "start-up pass");
        long termAt = System.nanoTime();
        idle.destroy(); // SIGTERM
        int idleExit = idle.waitFor();
        double idleStop = (System.nanoTime() - termAt) / 1e9;
        assertThat(log("idle")).as("the stop hook saw the node stop\n" + log("idle")).contains(" stopped");
        assertThat(idleExit).isEqualTo(143);

        Path busyConfig = tmp.resolve("busy.yaml");
        Files.writeString(busyConfig, """
                lease: 4s
                sweep: 1s
                schedules:
                  - name: busy
                    cron: "0 0 6 1 * ?"
                    window: { unit: day }
                    start: 2026-01-20
                    end: 2026-01-22
                    inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                    out: runs
                """);
        Process busy = start("busy", busyConfig, metadata);
        try (Connection watch = DriverManager.getConnection(metadata)) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline && !"STARTED".equals(string(watch, "SELECT s.STATUS FROM BATCH_STEP_EXECUTION s "
                    + "JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'from' "
                    + "AND p.PARAMETER_VALUE = '2026-01-20T00:00:00Z' WHERE s.STEP_NAME = 'rate' ORDER BY s.STEP_EXECUTION_ID DESC")))
                Thread.sleep(20);
            busy.destroy(); // SIGTERM while the first window is being rated
            termAt = System.nanoTime();
            int busyExit = busy.waitFor();
            double busyStop = (System.nanoTime() - termAt) / 1e9;
            String log = log("busy");
            assertThat(busyExit).as(log).isEqualTo(143);
            assertThat(log).doesNotContain("has been closed").contains(" stopped");
            assertThat(string(watch, "SELECT status FROM ATTEST_WINDOW WHERE schedule = 'busy' AND window_start = "
                    + java.time.Instant.parse("2026-01-20T00:00:00Z").toEpochMilli())).as("the running window finished\n" + log).isEqualTo("DONE");
            assertThat(string(watch, "SELECT CAST(attempts AS VARCHAR) FROM ATTEST_WINDOW WHERE schedule = 'busy' AND window_start = "
                    + java.time.Instant.parse("2026-01-20T00:00:00Z").toEpochMilli())).isEqualTo("1");
            assertThat(string(watch, "SELECT status FROM ATTEST_WINDOW WHERE schedule = 'busy' AND window_start = "
                    + java.time.Instant.parse("2026-01-21T00:00:00Z").toEpochMilli())).as("nothing claimed after SIGTERM").isNull();
            System.out.printf("SIGTERM: idle node exited after %.1f s; node auditing a window exited after %.1f s, the window DONE%n", idleStop, busyStop);
        }
    }

    private Process start(String name, Path config, String url) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx768m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "schedule", "--config", config.toString(),
                "--metadata", url, "--cluster", "attest-stop-" + name);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private void waitForLog(String name, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && !log(name).contains(text)) Thread.sleep(50);
        assertThat(log(name)).contains(text);
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (Exception e) {
            return "";
        }
    }

    private static String string(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
