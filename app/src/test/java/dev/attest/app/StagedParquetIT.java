package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same audit with its Parquet inputs read in place (the default), staged as DuckDB tables
 * ({@code -Dattest.stage.inputs=copy}) and staged as zstd Parquet behind views (and {@code -Dattest.stage.format=parquet}):
 * every file of the three run folders is byte for byte the same (timing.json aside). The Parquet and in-place audits are
 * first stopped at their write step (a folder lies where the run folder goes), so that their work folders can be seen;
 * the same command then completes each, restarting over its views.
 */
class StagedParquetIT {
    @TempDir
    Path tmp;

    @Test
    void stagingIntoParquetGivesTheSameRunFolder() throws Exception {
        new Generator().withDateLayout().generate(tmp.resolve("data"), 30_000, 21);
        List<String> tablesArgs = args("tables");
        System.setProperty("attest.stage.inputs", "copy");
        ScenarioIT.Run tablesRun;
        try {
            tablesRun = ScenarioIT.Run.of(tablesArgs.toArray(String[]::new));
        } finally {
            System.clearProperty("attest.stage.inputs");
        }
        assertThat(tablesRun.exit()).as(tablesRun.stderr()).isEqualTo(1);
        Path tables = Path.of(tablesRun.lastStdoutLine());

        // The run id depends on the inputs and parameters alone: the Parquet audit's run folder has the same name.
        Path inTheWay = tmp.resolve("parquet").resolve(tables.getFileName());
        Files.createDirectories(inTheWay);
        Files.writeString(inTheWay.resolve("in-the-way.txt"), "x");
        String[] parquetArgs = args("parquet").toArray(String[]::new);
        System.setProperty("attest.stage.format", "parquet");
        System.setProperty("attest.stage.inputs", "copy");
        ScenarioIT.Run parquetRun;
        try {
            ScenarioIT.Run stopped = ScenarioIT.Run.of(parquetArgs);
            assertThat(stopped.exit()).as(stopped.stderr()).isEqualTo(3);
            try (var files = Files.walk(tmp.resolve("parquet/.attest-work"))) {
                assertThat(files.filter(p -> p.getParent().getFileName().toString().equals("staged"))
                        .map(p -> p.getFileName().toString()).sorted().toList())
                        .as("the staged inputs are Parquet files").containsExactly("decisions.parquet", "events.parquet");
            }
            dev.attest.io.Folders.deleteTree(inTheWay);
            parquetRun = ScenarioIT.Run.of(parquetArgs);
        } finally {
            System.clearProperty("attest.stage.format");
            System.clearProperty("attest.stage.inputs");
        }
        assertThat(parquetRun.exit()).as(parquetRun.stderr()).isEqualTo(1);
        Path parquet = Path.of(parquetRun.lastStdoutLine());
        sameRunFolder(tables, parquet);

        // Read in place: the work folder holds no staged rows, only the database of the views and what the passes computed.
        Path inTheWay2 = tmp.resolve("inplace").resolve(tables.getFileName());
        Files.createDirectories(inTheWay2);
        Files.writeString(inTheWay2.resolve("in-the-way.txt"), "x");
        String[] inPlaceArgs = args("inplace").toArray(String[]::new);
        // This data's daily files are small (a few KB): they are read in place here only because the test says so.
        System.setProperty("attest.stage.inPlaceMinFileBytes", "0");
        try {
            inPlace(tables, inTheWay2, inPlaceArgs);
        } finally {
            System.clearProperty("attest.stage.inPlaceMinFileBytes");
        }
    }

    private void inPlace(Path tables, Path inTheWay2, String[] inPlaceArgs) throws Exception {
        ScenarioIT.Run stopped = ScenarioIT.Run.of(inPlaceArgs);
        assertThat(stopped.exit()).as(stopped.stderr()).isEqualTo(3);
        Path work;
        try (var dirs = Files.list(tmp.resolve("inplace/.attest-work"))) {
            work = dirs.findFirst().orElseThrow();
        }
        assertThat(work.resolve("staged")).doesNotExist();
        long inputBytes = folderBytes(tmp.resolve("data/events")) + folderBytes(tmp.resolve("data/decisions"));
        // (Staged as tables, the rows alone took about 2.5 times the inputs' room.)
        assertThat(folderBytes(work)).as("the work folder, against the inputs' %d bytes", inputBytes).isLessThan(inputBytes);

        // An input that changes before the restart stops it, naming the file; put back, the restart completes.
        Path decisionsFile;
        try (var files = Files.walk(tmp.resolve("data/decisions"))) {
            decisionsFile = files.filter(p -> p.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
        }
        java.nio.file.attribute.FileTime was = Files.getLastModifiedTime(decisionsFile);
        Files.setLastModifiedTime(decisionsFile, java.nio.file.attribute.FileTime.fromMillis(was.toMillis() + 60_000));
        dev.attest.io.Folders.deleteTree(inTheWay2);
        ScenarioIT.Run changed = ScenarioIT.Run.of(inPlaceArgs);
        assertThat(changed.exit()).as(changed.stderr()).isEqualTo(2);
        assertThat(changed.stderr()).contains("decisions input: file " + decisionsFile.toAbsolutePath() + " changed after staging read it");
        Files.setLastModifiedTime(decisionsFile, was);
        ScenarioIT.Run inPlaceRun = ScenarioIT.Run.of(inPlaceArgs);
        assertThat(inPlaceRun.exit()).as(inPlaceRun.stderr()).isEqualTo(1);
        sameRunFolder(tables, Path.of(inPlaceRun.lastStdoutLine()));
    }

    private static void sameRunFolder(Path expected, Path actual) throws Exception {
        List<String> names = new ArrayList<>();
        try (var files = Files.list(expected)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                names.add(n);
                if (n.equals("timing.json")) continue;
                assertThat(Files.readAllBytes(actual.resolve(n))).as(n).isEqualTo(Files.readAllBytes(f));
            }
        }
        assertThat(names).contains("expected.parquet", "findings.parquet", "lineage_gaps.parquet", "quarantine.parquet", "manifest.json");
        assertThat(ScenarioIT.findings(actual)).isNotEmpty();
    }

    private static long folderBytes(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            long n = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) n += Files.size(f);
            return n;
        }
    }

    private List<String> args(String name) throws Exception {
        GeneratedData data = GeneratedData.read(tmp.resolve("data"));
        var r = data.auditRequest(tmp.resolve(name));
        List<String> args = new ArrayList<>(List.of("audit", "--events", tmp.resolve("data/events").toString(), "--decisions",
                tmp.resolve("data/decisions").toString(), "--policies", tmp.resolve("data/policies").toString(), "--out",
                tmp.resolve(name).toString(), "--metadata", Metadata.h2(tmp.resolve("meta-" + name)), "--as-of", r.asOf().toString()));
        if (r.customers() != null) args.addAll(List.of("--customers", r.customers()));
        return args;
    }
}
