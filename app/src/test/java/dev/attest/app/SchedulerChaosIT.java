package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos (issue 16): two scheduler processes ({@code attest schedule}, long-lived) on one PostgreSQL database catch up
 * on N overdue daily windows while a seeded random hand SIGKILLs (then restarts), SIGSTOPs past the lease (then
 * SIGCONTs) or SIGTERMs (then restarts) either node. Afterwards every window is DONE with exactly one published run
 * folder, none FAILED, its findings.csv and expected.parquet byte-identical to a re-run of it ({@code attest verify}:
 * same window, cut-off and carried state), its findings equal to those of a fresh audit of the window rated from the
 * periods' starts (byte for byte once the run id, which names the carried state, is the same), and the ledger, {@code attest runs} and the run folders name the same runs.
 *
 * <p>N is 5 in {@code verify}; the {@code long} Maven profile sets {@code attest.chaos.windows} (60) for the full
 * run. {@code attest.chaos.seed} picks another sequence of disruptions. The disruptions' timing follows the wall
 * clock (processes really run), so which window each one hits varies; the assertions hold whatever they hit. The
 * only time bound is a generous deadline for the cluster to finish (a hung cluster fails with the nodes' logs).
 */
class SchedulerChaosIT {
    static final int LEASE_S = 3;

    @TempDir
    Path tmp;

    private TestDatabases database;
    private final List<Process> processes = new ArrayList<>();
    private int starts;

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            new ProcessBuilder("kill", "-CONT", String.valueOf(p.pid())).start().waitFor();
            p.destroyForcibly().waitFor();
        }
        if (database != null) database.close();
    }

    @Test
    void twoNodesUnderRandomKillsPausesAndStopsAuditEveryWindowExactlyOnce() throws Exception {
        int windows = Integer.getInteger("attest.chaos.windows", 5);
        long seed = Long.getLong("attest.chaos.seed", 16L);
        database = TestDatabases.postgres();
        String url = database.url();
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("data"), Math.max(400, windows * 20L), 21);
        Instant start = Instant.parse("2026-01-01T00:00:00Z"), end = start.plus(windows, ChronoUnit.DAYS);
        Path config = tmp.resolve("attest.yaml");
        Files.writeString(config, """
                lease: %ds
                sweep: 1s
                cluster_checkin: 2s
                schedules:
                  - name: chaos
                    cron: "* * * * * ?"
                    window: { unit: day }
                    start: %s
                    end: %s
                    late_after: 3650d
                    max_attempts: 5
                    retry_delay: 1s
                    inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                    audit: { late_decision_after: 1h }
                    out: runs
                """.formatted(LEASE_S, start, end));

        Process[] nodes = {start(config, url), start(config, url)};
        Random random = new Random(seed);
        Map<String, Integer> done = new LinkedHashMap<>();
        done.put("SIGKILL", 0);
        done.put("SIGSTOP", 0);
        done.put("SIGTERM", 0);
        int disruptions = Math.max(4, windows / 2);
        try (Connection watch = DriverManager.getConnection(url)) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4L + windows / 4);
            for (int i = 0; i < disruptions && System.nanoTime() < deadline && count(watch, "SELECT count(*) FROM ATTEST_WINDOW WHERE status = 'DONE'") < windows; i++) {
                Thread.sleep(1000 + random.nextInt(3000));
                int n = random.nextInt(2);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        nodes[n].destroyForcibly().waitFor();
                        nodes[n] = start(config, url);
                        done.merge("SIGKILL", 1, Integer::sum);
                    }
                    case 1 -> {
                        signal("STOP", nodes[n]);
                        Thread.sleep(TimeUnit.SECONDS.toMillis(LEASE_S * 2L + 1));
                        signal("CONT", nodes[n]);
                        done.merge("SIGSTOP", 1, Integer::sum);
                    }
                    default -> {
                        nodes[n].destroy();
                        assertThat(nodes[n].waitFor(90, TimeUnit.SECONDS)).as("SIGTERM: the node exits once its window is done\n" + logs()).isTrue();
                        nodes[n] = start(config, url);
                        done.merge("SIGTERM", 1, Integer::sum);
                    }
                }
            }
            while (System.nanoTime() < deadline && count(watch, "SELECT count(*) FROM ATTEST_WINDOW WHERE status = 'DONE'") < windows) Thread.sleep(200);
            for (Process p : nodes) p.destroy();
            for (Process p : nodes) p.waitFor(90, TimeUnit.SECONDS);

            // The ledger: every window DONE, none FAILED, each with its own run folder.
            List<String[]> rows = new ArrayList<>();
            try (Statement st = watch.createStatement();
                 ResultSet rs = st.executeQuery("SELECT window_start, window_end, status, run_dir, as_of, attempts FROM ATTEST_WINDOW "
                         + "WHERE schedule = 'chaos' ORDER BY window_start")) {
                while (rs.next())
                    rows.add(new String[] {Instant.ofEpochMilli(rs.getLong(1)).toString(), Instant.ofEpochMilli(rs.getLong(2)).toString(), rs.getString(3),
                            rs.getString(4), Instant.ofEpochMilli(rs.getLong(5)).toString(), rs.getString(6)});
            }
            assertThat(rows).as("every window in the ledger\n" + logs()).hasSize(windows);
            assertThat(rows).as("every window DONE, none FAILED\n" + logs()).allSatisfy(r -> assertThat(r[2]).isEqualTo("DONE"));
            Set<String> ledgerDirs = new HashSet<>();
            for (String[] r : rows) ledgerDirs.add(Path.of(r[3]).getFileName().toString());
            assertThat(ledgerDirs).as("one run folder per window").hasSize(windows);
            List<String> folders;
            try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
                folders = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(f -> !f.startsWith(".")).toList();
            }
            assertThat(folders).as("exactly the published run folders, no second one of any window").containsExactlyInAnyOrderElementsOf(ledgerDirs);

            // attest runs: the completed executions of the schedule are exactly those run folders.
            String runsOut = attest(List.of("runs", "--metadata", url, "--schedule", "chaos", "--limit", "100000"));
            Set<String> completed = new HashSet<>();
            int completedRows = 0, rowsListed = 0;
            for (String line : runsOut.split("\n")) {
                String[] t = line.trim().split("\\s+");
                if (t.length < 8 || !t[0].matches("\\d+")) continue;
                rowsListed++;
                // ID, KIND, SCHEDULE, FROM, TO, AS OF, STATUS, ...
                assertThat(t[1]).as("an audit: " + line).isEqualTo("audit");
                assertThat(t[2]).as("every attempt is listed under its schedule: " + line).isEqualTo("chaos");
                if (t[6].equals("COMPLETED")) {
                    completedRows++;
                    completed.add(Path.of(t[t.length - 1]).getFileName().toString());
                }
            }
            assertThat(completedRows).as("one completed audit per window\n" + runsOut).isEqualTo(windows);
            assertThat(completed).as("attest runs names the ledger's run folders").isEqualTo(ledgerDirs);
            // The cluster's counts, before the (long) reference phase, so that a run records them whatever follows.
            System.out.printf("chaos on PostgreSQL (seed %d), cluster phase: %d windows, 2 nodes, %s; %d node starts; %d DONE, 0 FAILED, %d run folders, "
                            + "%d attempts in the ledger, %d executions in attest runs (%d completed)%n", seed, windows, done, starts, windows, folders.size(),
                    rows.stream().mapToLong(r -> Long.parseLong(r[5])).sum(), rowsListed, completedRows);

            // References. (1) attest verify re-runs each published run from its manifest (same window, cut-off and carried
            // state) elsewhere: findings.csv and expected.parquet byte-identical. (2) A fresh audit of the same window and
            // cut-off rated from the periods' starts (its own --out, no state): the same findings, byte for byte once its
            // run id (which names the carried state a run started from) is put in place of the scheduled run's.
            for (String[] r : rows) {
                Path run = Path.of(r[3]);
                String verified = attest(List.of("verify", run.toString(), "--keep", "--metadata",
                        "jdbc:h2:file:" + tmp.resolve("verify-meta").toAbsolutePath()));
                java.util.regex.Matcher kept = java.util.regex.Pattern.compile("the re-run is kept in (\\S+)").matcher(verified);
                assertThat(kept.find()).as(verified).isTrue();
                for (String f : List.of("findings.csv", "expected.parquet"))
                    assertThat(Files.mismatch(run.resolve(f), Path.of(kept.group(1)).resolve(f))).as(r[0] + " " + f + " as its re-run's: "
                            + firstDifference(run, Path.of(kept.group(1)), f)).isEqualTo(-1L);

                Path ref = tmp.resolve("ref").resolve(r[0].substring(0, 10));
                attest(List.of("audit", "--events", tmp.resolve("data/events").toString(), "--decisions", tmp.resolve("data/decisions").toString(),
                        "--policies", tmp.resolve("data/policies").toString(), "--out", ref.toString(), "--from", r[0], "--to", r[1], "--as-of", r[4],
                        "--late-after", "1h", "--metadata", "jdbc:h2:file:" + tmp.resolve("ref-meta").toAbsolutePath()));
                Path refRun;
                try (Stream<Path> s = Files.list(ref)) {
                    refRun = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
                }
                String scheduled = Files.readString(run.resolve("findings.csv")).replace(run.getFileName().toString(), refRun.getFileName().toString());
                assertThat(scheduled).as(r[0] + " findings.csv as a full reference audit's").isEqualTo(Files.readString(refRun.resolve("findings.csv")));
            }
            long attempts = rows.stream().mapToLong(r -> Long.parseLong(r[5])).sum();
            System.out.printf("chaos on PostgreSQL (seed %d): %d windows, 2 nodes, %s; %d node starts; %d DONE, 0 FAILED, %d run folders, "
                            + "%d attempts in the ledger, %d executions in attest runs (%d completed); every run reproduced byte for byte, findings equal to full reference audits%n",
                    seed, windows, done, starts, windows, folders.size(), attempts, rowsListed, completedRows);
        }
    }

    private Process start(Path config, String url) throws Exception {
        int k = ++starts;
        List<String> cmd = List.of(java(), "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "schedule", "--config", config.toString(), "--metadata", url, "--cluster", "attest-chaos");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("node-" + k + ".log").toFile()).start();
        processes.add(p);
        return p;
    }

    /** Runs an attest command in a child JVM; returns its output (exit 0 or 1 expected: 1 is "findings at fail_on"). */
    private String attest(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Path log = tmp.resolve("cmd-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        // Generous: on the shared 2-core machine (load 60-87 during a 60-window run) a one-window verify once took over 5 minutes.
        assertThat(p.waitFor(20, TimeUnit.MINUTES)).as(String.join(" ", args) + " still running after 20 minutes").isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(String.join(" ", args) + "\n" + out).isIn(0, 1);
        return out;
    }

    /** The first differing lines of a text file in two run folders, and where each run's carried state came from. */
    private static String firstDifference(Path run, Path ref, String file) {
        try {
            if (!file.endsWith(".csv")) return "";
            List<String> a = Files.readAllLines(run.resolve(file)), b = Files.readAllLines(ref.resolve(file));
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String x = i < a.size() ? a.get(i) : "<none>", y = i < b.size() ? b.get(i) : "<none>";
                if (!x.equals(y)) return "line " + (i + 1) + "\n scheduled: " + x + "\n reference: " + y + "\n header: " + a.get(0)
                        + "\n scheduled manifest: " + Files.readString(run.resolve("manifest.json"));
            }
            return "";
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void signal(String sig, Process p) throws Exception {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (int k = 1; k <= starts; k++) {
            try {
                String text = Files.readString(tmp.resolve("node-" + k + ".log"));
                sb.append("--- node-").append(k).append(".log\n").append(text.length() > 6000 ? text.substring(text.length() - 6000) : text);
            } catch (Exception e) {
                sb.append("(no node-").append(k).append(".log)\n");
            }
        }
        return sb.toString();
    }

    private static long count(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (Exception notYetCreated) {
            return -1;
        }
    }
}
