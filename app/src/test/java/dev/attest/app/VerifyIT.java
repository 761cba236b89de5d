package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import dev.attest.reports.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Evidence: identical audits give byte-identical outputs; `attest verify` reproduces a run from its manifest,
 * reports an output changed after the run, and names an input that changed. Real files, real DuckDB and H2.
 */
class VerifyIT {
    static final Path SCENARIO = ScenarioIT.SCENARIOS.resolve("tiers-and-version-change");

    /** The scenario's inputs copied, so that a test may change them. */
    static Path inputs(Path tmp) throws IOException {
        Path in = tmp.resolve("in");
        try (Stream<Path> walk = Files.walk(SCENARIO)) {
            for (Path p : walk.toList()) {
                Path t = in.resolve(SCENARIO.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return in;
    }

    static Path audit(Path in, Path out, Path meta) {
        return audit(in, out, meta, "2026-03-01T00:00:00Z");
    }

    static Path audit(Path in, Path out, Path meta, String asOf) {
        Run run = Run.of("audit", "--events", in.resolve("events.csv").toString(), "--decisions", in.resolve("decisions.csv").toString(),
                "--policies", in.resolve("policies").toString(), "--as-of", asOf, "--out", out.toString(),
                "--metadata", Metadata.h2(meta));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        return Path.of(run.lastStdoutLine());
    }

    @Test
    void twoIdenticalAuditsWriteByteIdenticalOutputs(@TempDir Path tmp) throws Exception {
        Path in = inputs(tmp);
        Path a = audit(in, tmp.resolve("out-a"), tmp.resolve("meta"));
        Path b = audit(in, tmp.resolve("out-b"), tmp.resolve("meta"));
        assertThat(a.getFileName()).isEqualTo(b.getFileName()); // the run id does not depend on where it is written
        JsonNode ma = Json.MAPPER.readTree(Files.readString(a.resolve("manifest.json")));
        JsonNode mb = Json.MAPPER.readTree(Files.readString(b.resolve("manifest.json")));
        assertThat(ma.get("outputs")).isEqualTo(mb.get("outputs"));
        assertThat(ma.get("outputs").size()).isGreaterThanOrEqualTo(10);
        assertThat(Files.readString(a.resolve("manifest.json"))).isEqualTo(Files.readString(b.resolve("manifest.json")));
        assertThat(Files.readString(a.resolve("timing.json"))).contains("started_at", "finished_at");
        assertThat(ma.get("unverified").has("timing.json")).isTrue();
    }

    @Test
    void verifyReproducesAnUntouchedRun(@TempDir Path tmp) throws Exception {
        Path run = audit(inputs(tmp), tmp.resolve("out"), tmp.resolve("meta"));
        Run verify = Run.of("verify", run.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isZero();
        assertThat(verify.stdout()).contains("VERIFIED").doesNotContain("DIFFERENT").doesNotContain("MISSING");
        assertThat(verify.stdout()).containsPattern("findings\\.parquet +\\w{12} +IDENTICAL +IDENTICAL +IDENTICAL");
    }

    @Test
    void aLaterNightsReportIsReproducedFromTheRecordedFindingHistory(@TempDir Path tmp) throws Exception {
        Path in = inputs(tmp);
        audit(in, tmp.resolve("out"), tmp.resolve("meta"), "2026-03-01T00:00:00Z");
        Path second = audit(in, tmp.resolve("out"), tmp.resolve("meta"), "2026-03-03T00:00:00Z");
        // first seen the night before, two days old: the report depends on the recorded history
        assertThat(Files.readString(second.resolve("report.html"))).contains("first seen 2026-03-01, 2 d");

        Run withHistory = Run.of("verify", second.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(withHistory.exit()).as(withHistory.stdout() + withHistory.stderr()).isZero();
        assertThat(withHistory.stdout()).containsPattern("report\\.html +\\w{12} +IDENTICAL +IDENTICAL +IDENTICAL");

        // Without the history the findings look new: the data outputs still match, the report cannot.
        Run fresh = Run.of("verify", second.toString(), "--history", Metadata.h2(tmp.resolve("other-meta")));
        assertThat(fresh.exit()).isEqualTo(1);
        assertThat(fresh.stdout()).containsPattern("findings\\.parquet +\\w{12} +IDENTICAL +IDENTICAL +IDENTICAL")
                .containsPattern("report\\.html +\\w{12} +IDENTICAL +DIFFERENT +DIFFERENT");
    }

    @Test
    void anOutputChangedAfterTheRunIsReported(@TempDir Path tmp) throws Exception {
        Path run = audit(inputs(tmp), tmp.resolve("out"), tmp.resolve("meta"));
        Files.writeString(run.resolve("findings.csv"), "tampered\n", StandardOpenOption.APPEND);
        Files.delete(run.resolve("lineage_gaps.csv"));
        Run verify = Run.of("verify", run.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(verify.exit()).as(verify.stdout() + verify.stderr()).isEqualTo(1);
        assertThat(verify.stdout()).containsPattern("findings\\.csv +\\w{12} +DIFFERENT +IDENTICAL +DIFFERENT")
                .containsPattern("lineage_gaps\\.csv +\\w{12} +MISSING +IDENTICAL +MISSING")
                .containsPattern("findings\\.parquet +\\w{12} +IDENTICAL +IDENTICAL +IDENTICAL")
                .contains("NOT VERIFIED: 2 output(s)");
    }

    @Test
    void aChangedInputIsNamedAndNothingIsRerun(@TempDir Path tmp) throws Exception {
        Path in = inputs(tmp);
        Path run = audit(in, tmp.resolve("out"), tmp.resolve("meta"));
        Files.writeString(in.resolve("decisions.csv"), Files.readString(in.resolve("decisions.csv")).replace("2.00,USD", "4.00,USD"));
        Run verify = Run.of("verify", run.toString(), "--history", Metadata.h2(tmp.resolve("meta")));
        assertThat(verify.exit()).isEqualTo(2);
        assertThat(verify.stderr()).contains("inputs changed").contains("decisions " + in.resolve("decisions.csv").toAbsolutePath())
                .doesNotContain("events.csv");
        assertThat(verify.stdout()).isEmpty();
    }
}
