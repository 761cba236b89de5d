package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The break lifecycle over four nightly runs of the real command line on the same faulty data (two
 * OUTCOME_MISMATCH findings, critical), with the history in a real H2 file and in a real PostgreSQL database:
 * first seen kept and age growing, an acknowledgement shown but still failing, an acceptance keeping a finding
 * out of the exit status until its date and raising it again after, recording a run twice counting it once.
 */
class LifecycleIT {
    static final Path SCENARIO = Path.of("src/test/resources/scenarios/quota-denied");

    @TempDir
    Path tmp;

    @Test
    void nightlyRunsOnH2() throws Exception {
        nightlyRuns(Metadata.h2(tmp.resolve("meta")));
    }

    @Test
    void nightlyRunsOnPostgres() throws Exception {
        try (TestDatabases db = TestDatabases.postgres()) {
            nightlyRuns(db.url());
        }
    }

    @Test
    void helpExplainsTheDecisionCommandsAndBadDatesAreBadUsage() {
        ScenarioIT.Run help = ScenarioIT.Run.of("--help");
        assertThat(help.stdout()).contains("ack", "accept", "findings");
        assertThat(ScenarioIT.Run.of("help", "accept").stdout()).contains("--until", "--note", "--by", "--metadata", "Exit status");
        assertThat(ScenarioIT.Run.of("help", "ack").stdout()).contains("--note", "still counts");
        ScenarioIT.Run badDate = ScenarioIT.Run.of("accept", "0123456789abcdef", "--until", "31/03/2026", "--note", "x", "--metadata",
                Metadata.h2(tmp.resolve("meta")));
        assertThat(badDate.exit()).isEqualTo(2);
        assertThat(badDate.stderr()).contains("--until");
    }

    private String[] audit(String metadata, String asOf) {
        return new String[]{"audit", "--events", SCENARIO.resolve("events.csv").toString(), "--decisions", SCENARIO.resolve("decisions.csv").toString(),
                "--policies", SCENARIO.resolve("policies").toString(), "--out", tmp.resolve("runs").toString(), "--metadata", metadata,
                "--as-of", asOf};
    }

    private void nightlyRuns(String metadata) throws Exception {
        ScenarioIT.Run night1 = ScenarioIT.Run.of(audit(metadata, "2026-03-01T02:00:00Z"));
        assertThat(night1.exit()).as(night1.stderr()).isEqualTo(1);
        assertThat(night1.stderr()).contains("findings across runs: 2 new, 0 open");
        Path run1 = Path.of(night1.lastStdoutLine());
        String fpA = fingerprint(run1, "e3");
        String fpB = fingerprint(run1, "e4");
        assertThat(row(run1, fpA)).contains(">new<", "first seen 2026-03-01, 0 d");

        ScenarioIT.Run noNote = ScenarioIT.Run.of("ack", fpA, "--metadata", metadata);
        assertThat(noNote.exit()).isEqualTo(2);
        assertThat(noNote.stderr()).contains("--note");
        ScenarioIT.Run unknown = ScenarioIT.Run.of("ack", "0123456789abcdef", "--note", "x", "--metadata", metadata);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("0123456789abcdef", "no audit run");
        assertThat(ScenarioIT.Run.of("ack", fpA, "--note", "billing team <looking> & fixing", "--by", "ana", "--metadata", metadata).exit()).isZero();
        assertThat(ScenarioIT.Run.of("accept", fpB, "--until", "2026-03-02", "--note", "credit issued", "--metadata", metadata).exit()).isZero();

        // Night 2: the acknowledged finding still fails the run; the accepted one is shown as accepted.
        ScenarioIT.Run night2 = ScenarioIT.Run.of(audit(metadata, "2026-03-02T02:00:00Z"));
        assertThat(night2.exit()).as(night2.stderr()).isEqualTo(1);
        Path run2 = Path.of(night2.lastStdoutLine());
        assertThat(run2).isNotEqualTo(run1);
        assertThat(fingerprint(run2, "e3")).isEqualTo(fpA);
        assertThat(row(run2, fpA)).contains("first seen 2026-03-01, 1 d", "acknowledged", "billing team &lt;looking&gt; &amp; fixing",
                "ana");
        assertThat(row(run2, fpB)).contains("first seen 2026-03-01, 1 d", "accepted until 2026-03-02", "credit issued");
        assertThat(Files.readString(run2.resolve("report.html"))).contains("1 more accepted as risk (not counted)");
        // The same inputs and window a night later: the previous run of the same scope is night 1, and nothing changed.
        assertThat(Files.readString(run2.resolve("report.html"))).contains("Against run <code>" + run1.getFileName() + "</code>",
                "<b>0 new</b>, <b>0 resolved</b>, <b>2 still open</b>");
        assertThat(night2.stderr()).contains("since the previous run of this scope (" + run1.getFileName() + "): 0 new, 0 resolved, 2 still open");
        assertThat(Files.readString(run1.resolve("report.html"))).contains("No earlier run of this scope is recorded");

        // Night 3: the acceptance of B expired yesterday: raised again; A is now accepted instead of acknowledged.
        assertThat(ScenarioIT.Run.of("accept", fpA, "--until", "2026-03-10", "--note", "refund batch on the 10th", "--metadata", metadata).exit())
                .isZero();
        ScenarioIT.Run night3 = ScenarioIT.Run.of(audit(metadata, "2026-03-03T02:00:00Z"));
        assertThat(night3.exit()).as("B's acceptance expired, so B fails the run again").isEqualTo(1);
        Path run3 = Path.of(night3.lastStdoutLine());
        assertThat(row(run3, fpB)).contains("acceptance expired", "first seen 2026-03-01, 2 d");
        assertThat(row(run3, fpA)).contains("accepted until 2026-03-10", ", 2 d<");

        // The list of night 3 filters by status and speaks CSV and JSON.
        ScenarioIT.Run expired = ScenarioIT.Run.of("findings", run3.toString(), "--status", "acceptance-expired", "--format", "csv",
                "--metadata", metadata);
        assertThat(expired.exit()).as(expired.stderr()).isZero();
        assertThat(expired.stdout().lines().toList()).hasSize(2).first().asString().startsWith("status,severity,code,");
        assertThat(expired.stdout()).contains("acceptance expired,", fpB).doesNotContain(fpA);
        ScenarioIT.Run json = ScenarioIT.Run.of("findings", run3.toString(), "--format", "json", "--metadata", metadata);
        assertThat(JsonMapper.builder().build().readTree(json.stdout()).size()).isEqualTo(2);
        ScenarioIT.Run none = ScenarioIT.Run.of("findings", run3.toString(), "--new", "--metadata", metadata);
        assertThat(none.exit()).isZero();
        assertThat(none.stdout().lines()).hasSize(1).first().asString().startsWith("STATUS");
        ScenarioIT.Run byRunId = ScenarioIT.Run.of("findings", run3.toString(), "--status", "accepted", "--metadata", metadata);
        assertThat(byRunId.stdout()).contains(fpA).doesNotContain(fpB);

        // Night 4: both accepted: nothing left at or above the failing severity counts.
        assertThat(ScenarioIT.Run.of("accept", fpB, "--until", "2026-03-10", "--note", "second credit", "--metadata", metadata).exit()).isZero();
        ScenarioIT.Run night4 = ScenarioIT.Run.of(audit(metadata, "2026-03-04T02:00:00Z"));
        assertThat(night4.exit()).as(night4.stderr()).isZero();
        assertThat(night4.stderr()).contains("2 at or above error accepted as risk, not counted in the exit status");
        Path run4 = Path.of(night4.lastStdoutLine());
        String report4 = Files.readString(run4.resolve("report.html"));
        assertThat(report4).contains(">PASS<", "2 more accepted as risk (not counted)");
        // summary.json is the verdict of the data alone (re-derivable from the inputs); acceptances live in the metadata store.
        assertThat(JsonMapper.builder().build().readTree(run4.resolve("summary.json").toFile()).path("exit_status").asInt()).isEqualTo(1);

        // Repeating night 3 changes nothing: the run is recorded once.
        ScenarioIT.Run again = ScenarioIT.Run.of(audit(metadata, "2026-03-03T02:00:00Z"));
        assertThat(again.stderr()).contains("already ran");
        ScenarioIT.Run history = ScenarioIT.Run.of("findings", "--fingerprint", fpB, "--metadata", metadata);
        assertThat(history.exit()).isZero();
        assertThat(history.stdout()).contains("first seen   2026-03-01T02:00:00Z  run " + run1.getFileName(), "runs         4",
                "ACCEPT until 2026-03-02", "ACCEPT until 2026-03-10");
        // Never in the run folders: nothing but the audit's own outputs there.
        try (var files = Files.list(run4)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).doesNotContain("lifecycle.json", "decisions.csv")
                    .allMatch(n -> !n.contains("lifecycle") && !n.contains("decision"));
        }
    }

    /** The fingerprint of the finding of this event, from the run's findings.csv. */
    static String fingerprint(Path run, String eventId) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("findings.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        int fp = header.indexOf("fingerprint");
        int ev = header.indexOf("event_id");
        return lines.stream().skip(1).map(l -> l.split(",", -1)).filter(f -> f[ev].equals(eventId)).map(f -> f[fp]).findFirst().orElseThrow();
    }

    /** The findings-table row of a fingerprint in the run's report.html. */
    static String row(Path run, String fingerprint) throws Exception {
        Matcher m = Pattern.compile("<tr id=\"f-" + fingerprint + "\".*?</tr>").matcher(Files.readString(run.resolve("report.html")));
        assertThat(m.find()).as("row of " + fingerprint).isTrue();
        return m.group();
    }
}
