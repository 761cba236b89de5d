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
 */
class StagedParquetIT {
    @TempDir
    Path tmp;

    @Test
    void stagingIntoParquetGivesTheSameRunFolder() throws Exception {
        new Generator().withDateLayout().generate(tmp.resolve("data"), 30_000, 21);
        Path tables = audit("tables", null);
        Path parquet = audit("parquet", "parquet");
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

    private Path audit(String name, String format) throws Exception {
        GeneratedData data = GeneratedData.read(tmp.resolve("data"));
        var r = data.auditRequest(tmp.resolve(name));
        List<String> args = new ArrayList<>(List.of("audit", "--events", tmp.resolve("data/events").toString(), "--decisions",
                tmp.resolve("data/decisions").toString(), "--policies", tmp.resolve("data/policies").toString(), "--out",
                tmp.resolve(name).toString(), "--metadata", Metadata.h2(tmp.resolve("meta-" + name)), "--as-of", r.asOf().toString()));
        if (r.customers() != null) args.addAll(List.of("--customers", r.customers()));
        if (format != null) System.setProperty("attest.stage.format", format);
        try {
            ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
            assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
            return Path.of(run.lastStdoutLine());
        } finally {
            System.clearProperty("attest.stage.format");
        }
    }
}
