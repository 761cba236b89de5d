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
 * The same audit with the staged inputs as DuckDB tables (the default) and as zstd Parquet behind views
 * ({@code -Dattest.stage.format=parquet}): every file of the two run folders is byte for byte the same (timing.json aside).
 * The Parquet audit is first stopped at its write step (a folder lies where its run folder goes), so that its work folder
 * can be seen to hold the staged Parquet files; the same command then completes it, restarting over those views.
 */
class StagedParquetIT {
    @TempDir
    Path tmp;

    @Test
    void stagingIntoParquetGivesTheSameRunFolder() throws Exception {
        new Generator().withDateLayout().generate(tmp.resolve("data"), 30_000, 21);
        List<String> tablesArgs = args("tables");
        ScenarioIT.Run tablesRun = ScenarioIT.Run.of(tablesArgs.toArray(String[]::new));
        assertThat(tablesRun.exit()).as(tablesRun.stderr()).isEqualTo(1);
        Path tables = Path.of(tablesRun.lastStdoutLine());

        // The run id depends on the inputs and parameters alone: the Parquet audit's run folder has the same name.
        Path inTheWay = tmp.resolve("parquet").resolve(tables.getFileName());
        Files.createDirectories(inTheWay);
        Files.writeString(inTheWay.resolve("in-the-way.txt"), "x");
        String[] parquetArgs = args("parquet").toArray(String[]::new);
        System.setProperty("attest.stage.format", "parquet");
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
        }
        assertThat(parquetRun.exit()).as(parquetRun.stderr()).isEqualTo(1);
        Path parquet = Path.of(parquetRun.lastStdoutLine());

        List<String> names = new ArrayList<>();
        try (var files = Files.list(tables)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                names.add(n);
                if (n.equals("timing.json")) continue;
                assertThat(Files.readAllBytes(parquet.resolve(n))).as(n).isEqualTo(Files.readAllBytes(f));
            }
        }
        assertThat(names).contains("expected.parquet", "findings.parquet", "lineage_gaps.parquet", "quarantine.parquet", "manifest.json");
        assertThat(ScenarioIT.findings(parquet)).isNotEmpty();
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
