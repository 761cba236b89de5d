package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same audit run twice, at different wall-clock times, each with a fresh metadata database, writes
 * byte-identical report.html files: the report reads no clock and orders everything totally.
 */
class ReportDeterminismIT {
    static final Path SCENARIO = Path.of("src/test/resources/scenarios/rule-references");

    @TempDir
    Path tmp;

    private Path audit(String name) {
        ScenarioIT.Run run = ScenarioIT.Run.of("audit", "--events", SCENARIO.resolve("events.csv").toString(), "--decisions",
                SCENARIO.resolve("decisions.csv").toString(), "--policies", SCENARIO.resolve("policies").toString(), "--out",
                tmp.resolve("runs").toString(), "--metadata", Metadata.h2(tmp.resolve(name + "-meta")), "--as-of", "2026-03-01T00:00:00Z",
                "--late-after", "PT1H");
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        return Path.of(run.lastStdoutLine());
    }

    @Test
    void theSameAuditWritesTheSameReportBytes() throws Exception {
        Path first = audit("a");
        Path a = Files.move(first, tmp.resolve("first-run")); // the same output folder (part of the run's identity), emptied
        Thread.sleep(1100); // a wall-clock time in the report would now differ by at least a second
        Path b = audit("b");
        assertThat(b.getFileName()).isEqualTo(first.getFileName());
        assertThat(Files.readAllBytes(b.resolve("report.html"))).isEqualTo(Files.readAllBytes(a.resolve("report.html")));
        assertThat(Files.readString(a.resolve("report.html"))).contains("id=\"day-chart\"", "svg class=\"chart timeline\"", "findings-table");
    }
}
