package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real scheduler processes (`attest schedule --config`, long-lived) on one PostgreSQL database form a Quartz
 * cluster. The process auditing an overdue window is killed (SIGKILL) during the rate step; the other takes the
 * window over once the dead node's lease runs out, restarts the Batch job from its failed step, and completes it:
 * the window is audited exactly once (one job instance, one run folder). Before that, a schedule firing every 4 seconds
 * runs each of its windows exactly once across both nodes. Prints the measured failover time and scheduling delay.
 */
class ScheduleClusterIT {
    @TempDir
    Path tmp;

    private TestDatabases database;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) p.destroyForcibly().waitFor();
        if (database != null) database.close();
    }

    @Test
    void whenTheNodeRunningAWindowIsKilledTheOtherCompletesItExactlyOnce() throws Exception {
        database = TestDatabases.postgres();
        String url = database.url();
        new Generator(2, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("data"), 150_000, 13);
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("small"), 200, 14);
        int ticks = 5;
        // Phase 1: ticks every 2 s on an idle cluster (scheduling delay). Phase 2: the backfill window falls due at
        // backfillDue (its allowance is set so), and the node auditing it is killed.
        // Ticks 4 s apart: a tiny audit takes 1-2 s on a loaded 2-core machine, and windows closer than that would
        // measure queueing behind the previous window instead of scheduling delay.
        Instant tickStart = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 4 + 4) * 4);
        Instant backfillDue = tickStart.plusSeconds(4L * ticks + 4);
        Path config = tmp.resolve("attest.yaml");
        Files.writeString(config, """
                lease: 4s
                sweep: 1s
                cluster_checkin: 2s
                schedules:
                  - name: backfill
                    cron: "* * * * * ?"
                    window: { unit: day, allowance: %s }
                    start: 2026-01-20
                    end: 2026-01-21
                    inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                    out: runs
                  - name: ticks
                    cron: "*/4 * * * * ?"
                    window: { length: 4s }
                    start: %s
                    end: %s
                    late_after: 30s
                    inputs: { events: small/events, decisions: small/decisions, policies: small/policies }
                    out: runs-ticks
                """.formatted(java.time.Duration.between(Instant.parse("2026-01-21T00:00:00Z"), backfillDue), tickStart, tickStart.plusSeconds(4L * ticks)));

        Process a = start("a", config, url);
        Process b = start("b", config, url);
        try (Connection watch = DriverManager.getConnection(url)) {
            // Wait until one node is rating the backfill window, then kill that node.
            String holder = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                holder = string(watch, "SELECT node FROM ATTEST_WINDOW WHERE schedule = 'backfill' AND status = 'RUNNING'");
                if (holder != null && "STARTED".equals(string(watch, "SELECT s.STATUS FROM BATCH_STEP_EXECUTION s JOIN BATCH_JOB_EXECUTION_PARAMS p "
                        + "ON p.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'from' AND p.PARAMETER_VALUE = '2026-01-20T00:00:00Z' "
                        + "WHERE s.STEP_NAME = 'rate' ORDER BY s.STEP_EXECUTION_ID DESC")))
                    break;
                Thread.sleep(20);
            }
            assertThat(holder).as("a node claimed the backfill window and rates it\n" + logs()).isNotNull();
            long pid = Long.parseLong(holder.substring(0, holder.indexOf('@')));
            Process victim = a.pid() == pid ? a : b, survivor = victim == a ? b : a;
            assertThat(victim.pid()).as("the holder is one of our processes").isEqualTo(pid);
            long killedAt = System.nanoTime();
            victim.destroyForcibly().waitFor();

            String taker = null;
            while (System.nanoTime() < killedAt + TimeUnit.MINUTES.toNanos(2)) {
                taker = string(watch, "SELECT node FROM ATTEST_WINDOW WHERE schedule = 'backfill' AND node <> '" + holder + "'");
                if (taker != null) break;
                Thread.sleep(20);
            }
            double failover = (System.nanoTime() - killedAt) / 1e9;
            assertThat(taker).as("the surviving node took the window over\n" + logs()).isNotNull();
            assertThat(Long.parseLong(taker.substring(0, taker.indexOf('@')))).isEqualTo(survivor.pid());
            while (System.nanoTime() < killedAt + TimeUnit.MINUTES.toNanos(3)
                    && !"DONE".equals(string(watch, "SELECT status FROM ATTEST_WINDOW WHERE schedule = 'backfill'"))) Thread.sleep(100);
            while (System.nanoTime() < killedAt + TimeUnit.MINUTES.toNanos(3)
                    && count(watch, "SELECT count(*) FROM ATTEST_WINDOW WHERE schedule = 'ticks' AND status = 'DONE'") < ticks) Thread.sleep(100);

            assertThat(string(watch, "SELECT status FROM ATTEST_WINDOW WHERE schedule = 'backfill'")).as(logs()).isEqualTo("DONE");
            assertThat(count(watch, "SELECT attempts FROM ATTEST_WINDOW WHERE schedule = 'backfill'")).as("killed attempt, then the survivor's").isEqualTo(2);
            String backfill = "JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'from' "
                    + "AND p.PARAMETER_VALUE = '2026-01-20T00:00:00Z'";
            assertThat(count(watch, "SELECT count(DISTINCT e.JOB_INSTANCE_ID) FROM BATCH_JOB_EXECUTION e " + backfill)).as("one job instance").isEqualTo(1);
            assertThat(count(watch, "SELECT count(*) FROM BATCH_JOB_EXECUTION e " + backfill + " WHERE e.STATUS = 'COMPLETED'")).isEqualTo(1);
            assertThat(count(watch, "SELECT count(*) FROM BATCH_STEP_EXECUTION s JOIN BATCH_JOB_EXECUTION e ON e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID "
                    + backfill + " WHERE s.STEP_NAME = 'stage'")).as("the survivor restarted from the failed step: stage ran once").isEqualTo(1);
            try (var dirs = Files.list(tmp.resolve("runs"))) {
                assertThat(dirs.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).count()).as("one run folder").isEqualTo(1);
            }

            assertThat(count(watch, "SELECT count(*) FROM ATTEST_WINDOW WHERE schedule = 'ticks' AND status = 'DONE'")).as(logs()).isEqualTo(ticks);
            String tickRuns = "SELECT count(*) FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID "
                    + "AND p.PARAMETER_NAME = 'out' AND p.PARAMETER_VALUE LIKE '%runs-ticks' WHERE e.STATUS = 'COMPLETED'";
            assertThat(count(watch, tickRuns)).as("each tick window audited once across the cluster").isEqualTo(ticks);
            List<Long> delays = new ArrayList<>();
            try (Statement st = watch.createStatement();
                 ResultSet rs = st.executeQuery("SELECT started_at - due_at FROM ATTEST_WINDOW WHERE schedule = 'ticks' ORDER BY 1")) {
                while (rs.next()) delays.add(rs.getLong(1));
            }
            long nodesUsed = count(watch, "SELECT count(DISTINCT node) FROM ATTEST_WINDOW");
            if (System.getenv("ATTEST_IT_PRINT_LOGS") != null) System.out.println(logs() + delays);
            System.out.printf("cluster of 2 JVMs on PostgreSQL: failover (SIGKILL -> other node starts the window) %.1f s with lease 4 s, sweep 1 s; "
                    + "scheduling delay (due -> audit start) over %d tick windows: median %d ms, max %d ms; %d node ids in the ledger; "
                    + "load average %.1f on %d cores%n", failover, delays.size(), delays.get(delays.size() / 2), delays.get(delays.size() - 1), nodesUsed,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
        }
    }

    private Process start(String name, Path config, String url) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx768m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "schedule", "--config", config.toString(),
                "--metadata", url, "--cluster", "attest-it");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (String n : List.of("a", "b")) {
            try {
                sb.append("--- ").append(n).append(".log\n").append(Files.readString(tmp.resolve(n + ".log")));
            } catch (Exception e) {
                sb.append("(no ").append(n).append(".log)\n");
            }
        }
        return sb.toString();
    }

    private static String string(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException notYetCreated) {
            return null;
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException notYetCreated) {
            return -1;
        }
    }
}
