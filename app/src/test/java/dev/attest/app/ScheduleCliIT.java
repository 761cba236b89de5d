package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `attest schedule --config FILE --once` as cron runs it, and `attest runs`: exit status 2 for a bad file
 * (naming the key), 1 when an audit found findings at or above fail_on, 0 when nothing is due, 3 when a run
 * failed for good; `attest runs` lists the runs with schedule, window, status, late flag, counts and folder.
 */
class ScheduleCliIT {
    @TempDir
    Path tmp;

    @Test
    void onceRunsWhatIsDueWithTheExitStatusCronNeedsAndRunsListsIt() throws Exception {
        new Generator(1, Generator.DEFAULT_CHUNK_ROWS).generate(tmp.resolve("data"), 800, 4);
        String metadata = Metadata.h2(tmp.resolve("meta"));
        Path config = tmp.resolve("attest.yaml");
        Files.writeString(config, """
                schedules:
                  - name: monthly
                    cron: "0 0 6 1 * ?"
                    window: { unit: month }
                    start: 2026-01-01
                    end: 2026-02-01
                    inputs: { events: data/events, decisions: data/decisions, policies: data/policies }
                    audit: { late_decision_after: 1h }
                    out: runs
                """);
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(config).replace("unit: month", "unit: moon"));
        ScenarioIT.Run badRun = ScenarioIT.Run.of("schedule", "--config", bad.toString(), "--once", "--metadata", metadata);
        assertThat(badRun.exit()).isEqualTo(2);
        assertThat(badRun.stderr()).contains("bad.yaml: schedules[0].window: unit must be hour, day, week or month, got 'moon'");

        ScenarioIT.Run first = ScenarioIT.Run.of("schedule", "--config", config.toString(), "--once", "--metadata", metadata);
        assertThat(first.exit()).as(first.stderr()).isEqualTo(1);
        assertThat(first.stderr()).contains("RUN DONE    schedule=monthly window=[2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z)")
                .contains(" LATE ").contains("ALERT late_run schedule=monthly").contains("ALERT findings schedule=monthly");

        ScenarioIT.Run again = ScenarioIT.Run.of("schedule", "--config", config.toString(), "--once", "--metadata", metadata);
        assertThat(again.exit()).as("nothing is due any more").isEqualTo(0);
        assertThat(again.stderr()).contains("0 window(s) handled");

        ScenarioIT.Run runs = ScenarioIT.Run.of("runs", "--metadata", metadata, "--schedule", "monthly");
        assertThat(runs.exit()).as(runs.stderr()).isEqualTo(0);
        String[] lines = runs.stdout().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("ID").contains("KIND", "SCHEDULE", "FROM", "STATUS", "LATE", "DURATION", "CRITICAL", "ERROR", "WARNING", "INFO", "RUN FOLDER");
        assertThat(lines[1]).contains("monthly", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "COMPLETED", " yes ", tmp.resolve("runs").toString());
        System.out.println(runs.stdout());

        // Inputs gone: the audit fails on its only allowed attempt; --once says so with exit 3.
        Path failing = tmp.resolve("failing.yaml");
        Files.writeString(failing, Files.readString(config).replace("name: monthly", "name: broken").replace("data/events", "missing/events")
                .replace("out: runs", "out: runs-broken\n    max_attempts: 1"));
        ScenarioIT.Run broken = ScenarioIT.Run.of("schedule", "--config", failing.toString(), "--once", "--metadata", metadata);
        assertThat(broken.exit()).as(broken.stderr()).isEqualTo(3);
        assertThat(broken.stderr()).contains("RUN FAILED  schedule=broken").contains("ALERT run_failed schedule=broken").contains("no such file or directory");
    }
}
