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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real audit process is killed (SIGKILL) while it rates. Running the same command again restarts from
 * the failed step (stage is not run again), and the findings equal those of an uninterrupted run; no
 * half-written run folder is ever visible. A failed run whose work folder was deleted with its --out folder
 * starts over instead of failing for good on the missing tables.
 */
class RestartIT {

    @TempDir
    Path tmp;

    @Test
    void aKilledRunRestartsFromItsFailedStepAndGivesTheSameFindings() throws Exception {
        new Generator().generate(tmp.resolve("data"), 400_000, 11);
        String metadata = Metadata.h2(tmp.resolve("meta"));
        List<String> args = args(tmp.resolve("runs"), metadata);

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        // Hold the H2 file open for the whole test: the victim then joins it through H2's auto-server,
        // instead of racing our polling connections for the file lock.
        Connection watch = DriverManager.getConnection(metadata);
        Process victim = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("victim.log").toFile()).start();
        boolean killedWhileRating = false;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (victim.isAlive() && System.nanoTime() < deadline) {
            if ("STARTED".equals(stepStatus(watch, "rate"))) {
                victim.destroyForcibly().waitFor();
                killedWhileRating = true;
                break;
            }
            Thread.sleep(20);
        }
        assertThat(killedWhileRating).as("the victim was killed during the rate step\n" + Files.readString(tmp.resolve("victim.log"))).isTrue();
        assertThat(completeRunFolders(tmp.resolve("runs"))).as("nothing half-written is visible").isEmpty();

        ScenarioIT.Run restarted = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(restarted.exit()).as(restarted.stderr()).isEqualTo(1);
        assertThat(stepCount(watch, "stage")).as("stage ran once").isEqualTo(1);
        assertThat(stepCount(watch, "rate")).as("rate ran twice: killed, then restarted").isEqualTo(2);
        watch.close();
        assertThat(completeRunFolders(tmp.resolve("runs"))).hasSize(1);

        ScenarioIT.Run uninterrupted = ScenarioIT.Run.of(args(tmp.resolve("runs2"), Metadata.h2(tmp.resolve("meta2"))).toArray(String[]::new));
        assertThat(ScenarioIT.findings(Path.of(restarted.lastStdoutLine())))
                .isNotEmpty()
                .containsExactlyElementsOf(ScenarioIT.findings(Path.of(uninterrupted.lastStdoutLine())));
    }

    @Test
    void aFailedRunWhoseWorkFolderIsGoneStartsOver() throws Exception {
        new Generator().generate(tmp.resolve("data"), 5_000, 12);
        ScenarioIT.Run reference = ScenarioIT.Run.of(args(tmp.resolve("reference"), Metadata.h2(tmp.resolve("meta-ref"))).toArray(String[]::new));
        Path runFolderName = Path.of(reference.lastStdoutLine()).getFileName();
        String metadata = Metadata.h2(tmp.resolve("meta"));
        List<String> args = args(tmp.resolve("runs"), metadata);

        // Something where the run folder goes makes the last step fail, after stage, rate and reconcile completed.
        Files.createDirectories(tmp.resolve("runs").resolve(runFolderName));
        Files.writeString(tmp.resolve("runs").resolve(runFolderName).resolve("in-the-way.txt"), "x");
        ScenarioIT.Run failed = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(failed.exit()).as(failed.stderr()).isEqualTo(3);
        assertThat(failed.stderr()).contains("step write");

        // The user clears the out folder, work folder included, and runs the same command.
        dev.attest.io.Folders.deleteTree(tmp.resolve("runs"));
        ScenarioIT.Run again = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(again.exit()).as(again.stderr()).isEqualTo(1);
        assertThat(again.stderr()).contains("is gone: auditing it from the start");
        assertThat(ScenarioIT.findings(Path.of(again.lastStdoutLine()))).isNotEmpty()
                .containsExactlyElementsOf(ScenarioIT.findings(Path.of(reference.lastStdoutLine())));
        try (Connection c = DriverManager.getConnection(metadata)) {
            assertThat(stepCount(c, "stage")).as("one stage in the history: the lost attempt was dropped").isEqualTo(1);
            assertThat(stepCount(c, "write")).as("the new attempt's write only").isEqualTo(1);
        }
    }

    /** An audit whose write step failed (a folder lies where its run folder goes, {@code runFolder}), after rate completed. */
    private record FailedWrite(Path reference, Path runs, Path runFolder, Path assembled, String metadata, String[] args) {}

    private FailedWrite failAtWrite(long seed) throws Exception {
        new Generator().generate(tmp.resolve("data"), 5_000, seed);
        ScenarioIT.Run reference = ScenarioIT.Run.of(args(tmp.resolve("reference"), Metadata.h2(tmp.resolve("meta-ref"))).toArray(String[]::new));
        Path runFolderName = Path.of(reference.lastStdoutLine()).getFileName();
        Path runs = tmp.resolve("runs");
        String metadata = Metadata.h2(tmp.resolve("meta"));
        String[] args = args(runs, metadata).toArray(String[]::new);
        Path inTheWay = runs.resolve(runFolderName);
        Files.createDirectories(inTheWay);
        Files.writeString(inTheWay.resolve("in-the-way.txt"), "x");
        ScenarioIT.Run failed = ScenarioIT.Run.of(args);
        assertThat(failed.exit()).as(failed.stderr()).isEqualTo(3);
        return new FailedWrite(Path.of(reference.lastStdoutLine()), runs, inTheWay, runs.resolve("." + runFolderName + ".partial"),
                metadata, args);
    }

    @Test
    void aFailedWriteKeepsTheRatedExpectationsInTheRunFolderBeingAssembledAndTheRestartPublishesThem() throws Exception {
        FailedWrite f = failAtWrite(13);
        // The rating wrote expected.parquet where the run folder is assembled, not into the work folder.
        assertThat(f.assembled().resolve("expected.parquet")).isRegularFile();
        try (var files = Files.walk(f.runs().resolve(".attest-work"))) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("expected")).toList()).isEmpty();
        }

        dev.attest.io.Folders.deleteTree(f.runFolder());
        ScenarioIT.Run again = ScenarioIT.Run.of(f.args());
        assertThat(again.exit()).as(again.stderr()).isEqualTo(1);
        try (Connection c = DriverManager.getConnection(f.metadata())) {
            assertThat(stepCount(c, "rate")).as("rate ran once: its file was kept").isEqualTo(1);
            assertThat(stepCount(c, "write")).as("write failed, then ran again").isEqualTo(2);
        }
        assertThat(f.assembled()).doesNotExist();
        assertThat(Files.readAllBytes(f.runFolder().resolve("expected.parquet")))
                .isEqualTo(Files.readAllBytes(f.reference().resolve("expected.parquet")));
        assertThat(ScenarioIT.findings(Path.of(again.lastStdoutLine()))).isNotEmpty()
                .containsExactlyElementsOf(ScenarioIT.findings(f.reference()));
    }

    @Test
    void aFailedRunWhoseRatedExpectationsAreGoneStartsOver() throws Exception {
        FailedWrite f = failAtWrite(14);
        // Someone clears the hidden folder the run was being assembled in, not the work folder.
        dev.attest.io.Folders.deleteTree(f.assembled());
        dev.attest.io.Folders.deleteTree(f.runFolder());
        ScenarioIT.Run again = ScenarioIT.Run.of(f.args());
        assertThat(again.exit()).as(again.stderr()).isEqualTo(1);
        assertThat(again.stderr()).contains("is gone: auditing it from the start");
        assertThat(Files.readAllBytes(f.runFolder().resolve("expected.parquet")))
                .isEqualTo(Files.readAllBytes(f.reference().resolve("expected.parquet")));
    }

    private List<String> args(Path out, String metadata) throws Exception {
        GeneratedData data = GeneratedData.read(tmp.resolve("data"));
        var r = data.auditRequest(out);
        List<String> args = new ArrayList<>(List.of("audit", "--events", tmp.resolve("data/events").toString(), "--decisions",
                tmp.resolve("data/decisions").toString(), "--policies", tmp.resolve("data/policies").toString(), "--out", out.toString(),
                "--metadata", metadata, "--as-of", r.asOf().toString()));
        if (r.customers() != null) args.addAll(List.of("--customers", r.customers())); // the billing cycles the data was made with
        return args;
    }

    private static List<Path> completeRunFolders(Path runs) throws Exception {
        if (!Files.isDirectory(runs)) return List.of();
        try (var dirs = Files.list(runs)) {
            return dirs.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static String stepStatus(Connection c, String step) {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT STATUS FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = '" + step
                     + "' ORDER BY STEP_EXECUTION_ID DESC")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception notYetCreated) {
            return null;
        }
    }

    private static int stepCount(Connection c, String step) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM BATCH_STEP_EXECUTION WHERE STEP_NAME = '" + step + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
