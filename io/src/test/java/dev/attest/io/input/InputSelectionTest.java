package dev.attest.io.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files an audit reads, by their hive date partitions alone. */
class InputSelectionTest {
    @TempDir
    Path dir;

    private Path touch(String rel) throws Exception {
        Path f = dir.resolve(rel);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "event_id\n");
        return f;
    }

    @Test
    void datePartitionsOutsideTheBoundsAreSkippedWithTheReason() throws Exception {
        touch("e/date=2026-01-31/a.csv");
        touch("e/date=2026-02-01/a.csv");
        touch("e/date=2026-02-02/a.csv");
        touch("e/dt=20260203/a.csv");
        touch("e/year=2026/month=01/day=15/a.csv");
        touch("e/year=2026/month=03/a.csv");
        touch("e/undated/a.csv");
        InputSelection.Selection s = InputSelection.select("events", dir.resolve("e").toString(), Instant.parse("2026-02-01T00:00:00Z"),
                Instant.parse("2026-02-03T00:00:00Z"));
        assertThat(s.read()).extracting(f -> dir.relativize(f.path()).toString())
                .containsExactly("e/date=2026-02-01/a.csv", "e/date=2026-02-02/a.csv", "e/undated/a.csv");
        assertThat(s.skipped()).extracting(k -> dir.relativize(Path.of(k.path())).toString())
                .containsExactly("e/date=2026-01-31/a.csv", "e/dt=20260203/a.csv", "e/year=2026/month=01/day=15/a.csv", "e/year=2026/month=03/a.csv");
        assertThat(s.skipped().get(0).reason()).isEqualTo("partition date=2026-01-31 is outside [2026-02-01T00:00:00Z, 2026-02-03T00:00:00Z)");
    }

    @Test
    void anOpenEndKeepsEverythingOnThatSideAndNoBoundsReadEverything() throws Exception {
        touch("d/date=2026-01-01/a.parquet");
        touch("d/date=2026-12-31/a.parquet");
        assertThat(InputSelection.select("decisions", dir.resolve("d").toString(), Instant.parse("2026-06-01T00:00:00Z"), null).read())
                .extracting(f -> f.path().getParent().getFileName().toString()).containsExactly("date=2026-12-31");
        assertThat(InputSelection.select("decisions", dir.resolve("d").toString(), null, null).skipped()).isEmpty();
        // A partition day that only touches the bound's instant is outside: [day, day + 1) ends where the scope starts.
        assertThat(InputSelection.select("decisions", dir.resolve("d").toString(), Instant.parse("2026-01-02T00:00:00Z"), null).skipped())
                .hasSize(1);
        assertThat(InputSelection.partitionRange(dir.resolve("d/date=not-a-date/x.csv"))).isNull();
    }
}
