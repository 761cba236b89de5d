package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.app.ScenarioIT.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `attest explain` on a spec scenario through the real command line: its output is compared with a golden file
 * (the scenario's folder written as ${SCENARIO}); every finding's `explain` command works and shows that finding;
 * a bad id is a clear message and exit 2. Set -Dattest.golden.update=true to rewrite the golden file.
 */
class ExplainIT {
    static final Path SCENARIO = ScenarioIT.SCENARIOS.resolve("tiers-and-version-change").toAbsolutePath();
    static final Path GOLDEN = Path.of("src/test/resources/explain/tiers-and-version-change-d3.txt");

    static Path audit(Path tmp) {
        Run run = Run.of("audit", "--events", SCENARIO.resolve("events.csv").toString(), "--decisions", SCENARIO.resolve("decisions.csv").toString(),
                "--policies", SCENARIO.resolve("policies").toString(), "--as-of", "2026-03-01T00:00:00Z", "--out", tmp.resolve("runs").toString(),
                "--metadata", Metadata.h2(tmp.resolve("meta")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        return Path.of(run.lastStdoutLine());
    }

    @Test
    void explainOfADecisionMatchesTheGoldenFile(@TempDir Path tmp) throws Exception {
        Path runDir = audit(tmp);
        Run explain = Run.of("explain", runDir.toString(), "--decision", "d3");
        assertThat(explain.exit()).as(explain.stderr()).isZero();
        String text = explain.stdout().replace(SCENARIO.toString(), "${SCENARIO}");
        if (Boolean.getBoolean("attest.golden.update")) Files.writeString(GOLDEN, text);
        assertThat(text).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
    }

    @Test
    void everyFindingsExplainCommandShowsThatFinding(@TempDir Path tmp) throws Exception {
        Path runDir = audit(tmp);
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint, explain FROM read_parquet('" + runDir.resolve("findings.parquet") + "')")) {
            while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2)});
        }
        assertThat(rows).isNotEmpty();
        for (String[] r : rows) {
            assertThat(r[1]).startsWith("attest explain " + runDir.getFileName() + " --");
            String[] words = r[1].split(" ");
            Run explain = Run.of("explain", runDir.toString(), words[3], words[4]);
            assertThat(explain.exit()).as(r[1] + "\n" + explain.stderr()).isZero();
            assertThat(explain.stdout()).as(r[1]).contains(r[0]);
        }
    }

    @Test
    void aRunIdResolvesFromTheRunFolderTheOutFolderAndTheFolderAboveIt(@TempDir Path tmp) throws Exception {
        Path runDir = audit(tmp);
        String id = runDir.getFileName().toString();
        for (Path from : List.of(runDir, runDir.getParent(), runDir.getParent().getParent()))
            assertThat(RunFolders.resolve(id, from)).as("from " + from).isEqualTo(runDir.toAbsolutePath().normalize());
        assertThat(RunFolders.resolve(".", runDir)).isEqualTo(runDir.toAbsolutePath().normalize());
        Run byPath = Run.of("explain", runDir.toString(), "--decision", "d3");
        assertThat(byPath.exit()).as(byPath.stderr()).isZero();
    }

    @Test
    void anUnknownIdIsBadUsage(@TempDir Path tmp) {
        Path runDir = audit(tmp);
        Run explain = Run.of("explain", runDir.toString(), "--event", "no-such-event");
        assertThat(explain.exit()).isEqualTo(2);
        assertThat(explain.stderr()).contains("no event 'no-such-event'").contains("events.csv");
        Run notARun = Run.of("explain", tmp.toString(), "--decision", "d3");
        assertThat(notARun.exit()).isEqualTo(2);
        assertThat(notARun.stderr()).contains("has no manifest.json");
    }
}
