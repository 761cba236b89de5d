package dev.attest.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.Folders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The command line as a new user meets it: help, bad input, quarantine, zones, repeated runs. */
class CliIT {
    static final Path SCENARIO = Path.of("src/test/resources/scenarios/correction-after-decision");

    @TempDir
    Path tmp;

    private List<String> audit(Path events, Path decisions, Path policies, String... extra) {
        List<String> a = new ArrayList<>(List.of("audit", "--events", events.toString(), "--decisions", decisions.toString(),
                "--policies", policies.toString(), "--out", tmp.resolve("runs").toString(), "--metadata", Metadata.h2(tmp.resolve("meta"))));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void helpExplainsEveryCommand() {
        ScenarioIT.Run run = ScenarioIT.Run.of("--help");
        assertThat(run.exit()).isZero();
        assertThat(run.stdout()).contains("audit", "demo", "generate", "bench", "help");
        ScenarioIT.Run audit = ScenarioIT.Run.of("help", "audit");
        assertThat(audit.stdout()).contains("--events", "--events-sql", "--decisions", "--policies", "--out", "--from", "--to",
                "--as-of", "--tolerance", "--late-after", "--fail-on", "--assume-zone", "Exit status");
    }

    @Test
    void everyCommandAnswersHelpWithExitZeroEvenWithoutItsRequiredOptions() {
        CommandLine root = new CommandLine(new Main());
        assertThat(root.getSubcommands()).containsKeys("audit", "findings", "runs", "demo", "bench", "completion");
        for (String name : root.getSubcommands().keySet()) {
            for (String flag : List.of("--help", "-h")) {
                ScenarioIT.Run run = ScenarioIT.Run.of(name, flag);
                assertThat(run.exit()).as(name + " " + flag + ": " + run.stderr()).isZero();
                assertThat(run.stdout()).as(name + " " + flag).contains("Usage: attest " + name);
            }
            // Every option says what it does (bench --seed once did not).
            root.getSubcommands().get(name).getCommandSpec().options().forEach(o ->
                    assertThat(String.join("", o.description())).as(name + " " + o.longestName()).isNotBlank());
        }
        ScenarioIT.Run version = ScenarioIT.Run.of("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.stdout()).startsWith("attest ");
    }

    @Test
    void badValuesGetPlainMessagesNotJavaExceptions() {
        List<String> args = audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--tolerance", "abc", "--from", "2026-13-01");
        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).containsAnyOf("'abc' is not a decimal number", "'2026-13-01' is not an instant")
                .contains("Try 'attest audit --help'").doesNotContain("Exception");
        ScenarioIT.Run completion = ScenarioIT.Run.of("completion", "bash");
        assertThat(completion.exit()).isZero();
        assertThat(completion.stdout()).contains("complete -F").contains("audit").contains("--fail-on");
    }

    @Test
    void unknownOptionIsBadUsage() {
        List<String> args = audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"), "--bogus");
        ScenarioIT.Run run = ScenarioIT.Run.of(args.toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("Unknown option: '--bogus'");
    }

    @Test
    void missingColumnNamesFileAndColumnWithoutStackTrace() throws Exception {
        Path events = tmp.resolve("events.csv");
        Files.writeString(events, "event_id,customer_id,quantity,event_time\ne1,c1,1,2026-01-03T00:00:00Z\n");
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(events, SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("events.csv").contains("meter").doesNotContain("\tat ");
        assertThat(tmp.resolve("runs")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.list(p).filter(f -> !f.getFileName().toString().startsWith("."))).isEmpty());
    }

    @Test
    void unreadableFileIsNamed() throws Exception {
        Path events = tmp.resolve("events.parquet");
        Files.writeString(events, "this is not parquet");
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(events, SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("events.parquet").doesNotContain("\tat ");
    }

    @Test
    void badPolicyFileNamesFileAndPolicy() throws Exception {
        Path policies = Files.createDirectories(tmp.resolve("policies"));
        Files.writeString(policies.resolve("broken.yaml"), """
                policy_id: price-broken
                kind: price
                meter: sms
                currency: USD
                versions:
                  - {version: 1, valid_from: "2026-01-01T00:00:00Z", recorded_at: "2025-12-01T00:00:00Z",
                     rule: {model: graduated, tiers: [{up_to: "10", unit_price: "1"}]}}
                """);
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), policies,
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("broken.yaml", "price-broken", "unbounded").doesNotContain("\tat ");
    }

    @Test
    void anAmountTooLargeToKeepIsBadInputNamingTheEvent() throws Exception {
        // 1e20 units at 1e10 each: valid inputs whose product has 31 integer digits, beyond DECIMAL(38,9).
        Path events = tmp.resolve("events.csv");
        Files.writeString(events, "event_id,customer_id,meter,quantity,event_time\ne-big,c1,api,100000000000000000000,2026-01-05T10:00:00Z\n");
        Path decisions = tmp.resolve("decisions.csv");
        Files.writeString(decisions, "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at\n"
                + "d1,e-big,c1,api,charged,1,EUR,p1,1,2026-01-05T10:00:01Z\n");
        Path policies = Files.createDirectories(tmp.resolve("big-policies"));
        Files.writeString(policies.resolve("p.yaml"), """
                policy_id: p1
                kind: price
                meter: api
                currency: EUR
                versions:
                  - version: 1
                    valid_from: 2026-01-01T00:00:00Z
                    recorded_at: 2025-12-01T00:00:00Z
                    change_ref: CHG-1
                    rule: {model: unit, unit_price: 10000000000}
                """);
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(events, decisions, policies, "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr()).contains("event e-big (customer c1, meter api", "more than 29 integer digits", "DECIMAL(38,9)")
                .doesNotContain("\tat ");
    }

    @Test
    void badRowsAreQuarantinedWithFileRowAndReasonAndTheRunGoesOn() throws Exception {
        Path events = tmp.resolve("events.csv");
        Files.writeString(events, """
                event_id,customer_id,meter,quantity,event_time
                e1,c1,sms,1,2026-01-03T00:00:00Z
                e2,c1,sms,-3,2026-01-04T00:00:00Z
                e3,c1,sms,1,2026-01-05T00:00:00
                e4,c1,sms,1,2026-01-06T00:00:00Z
                """);
        Path decisions = tmp.resolve("decisions.csv");
        Files.writeString(decisions, """
                decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at,invoice_id
                d1,e1,c1,sms,charged,1.10,USD,price-sms,2,2026-02-11T00:00:00Z,i1
                d4,e4,c1,sms,charged,1.10,USD,price-sms,2,2026-02-11T00:00:00Z,i1
                """);
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(events, decisions, SCENARIO.resolve("policies"), "--as-of", "2026-03-01T00:00:00Z")
                .toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isZero();
        Path runDir = Path.of(run.lastStdoutLine());
        List<String> quarantine = Files.readAllLines(runDir.resolve("quarantine.csv"));
        assertThat(quarantine).hasSize(3);
        assertThat(quarantine.get(1)).contains("events", "events.csv", ",2,", "quantity");
        assertThat(quarantine.get(2)).contains("events", "events.csv", ",3,", "offset");
        JsonNode summary = JsonMapper.builder().build().readTree(runDir.resolve("summary.json").toFile());
        assertThat(summary.path("inputs").path("quarantined").asLong()).isEqualTo(2);
        assertThat(summary.path("inputs").path("events").asLong()).isEqualTo(4);
        assertThat(summary.path("findings").path("MISSING_DECISION").asLong()).isZero();
        // The console says so, and stdout holds the run folder alone, once.
        assertThat(run.stderr()).contains("warning: 2 input row(s) quarantined", runDir.resolve("quarantine.csv").toString());
        assertThat(run.stdout().strip()).isEqualTo(runDir.toString());
    }

    @Test
    void theConsoleTabulatesFindingsPerCodeMostSevereFirst() {
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new));
        assertThat(run.exit()).as(run.stderr()).isLessThan(2);
        assertThat(run.stderr()).containsPattern("(?m)^  CODE +SEVERITY +COUNT$").containsPattern("(?m)^  [A-Z_]+ +(critical|error|warning|info) +\\d+$");
        assertThat(run.stdout().lines()).hasSize(1);
    }

    @Test
    void assumeZoneReadsWallClockTimestamps() throws Exception {
        Path events = tmp.resolve("events.csv");
        // 2026-01-03 19:30 in New York is 2026-01-04T00:30Z
        Files.writeString(events, "event_id,customer_id,meter,quantity,event_time\ne1,c1,sms,1,2026-01-03 19:30:00\n");
        Path decisions = tmp.resolve("decisions.csv");
        Files.writeString(decisions, "decision_id,event_id,customer_id,meter,outcome,amount,currency,price_policy_id,price_version,decided_at\n"
                + "d1,e1,c1,sms,charged,1.00,USD,price-sms,1,2026-01-03 19:30:05\n");
        ScenarioIT.Run run = ScenarioIT.Run.of(audit(events, decisions, SCENARIO.resolve("policies"), "--as-of", "2026-03-01T00:00:00Z",
                "--assume-zone", "America/New_York").toArray(String[]::new));
        Path runDir = Path.of(run.lastStdoutLine());
        assertThat(Files.readAllLines(runDir.resolve("quarantine.csv"))).hasSize(1);
        assertThat(ScenarioIT.findings(runDir)).containsExactly("RETROACTIVE_CORRECTION,e1,");
        assertThat(Files.readString(runDir.resolve("findings.csv"))).contains("2026-01-04 00:30:00");
    }

    @Test
    void anIdenticalRunIsNotRepeatedAndNeverDuplicatesItsFolder() throws Exception {
        String[] args = audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new);
        ScenarioIT.Run first = ScenarioIT.Run.of(args);
        ScenarioIT.Run second = ScenarioIT.Run.of(args);
        assertThat(second.lastStdoutLine()).isEqualTo(first.lastStdoutLine());
        assertThat(second.exit()).isEqualTo(first.exit()).isEqualTo(1);
        assertThat(second.stderr()).contains("already ran");
        try (var dirs = Files.list(tmp.resolve("runs"))) {
            assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList()).hasSize(1);
        }
        assertThat(tmp.resolve("runs/.attest-work")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.list(p)).isEmpty());
    }

    @Test
    void aCompletedRunWhoseFolderWasDeletedIsRecreatedAndSaysSo() throws Exception {
        // Issue 13 item 7: the outputs are deterministic, so the run is made again (as make re-makes a deleted target).
        String[] args = audit(SCENARIO.resolve("events.csv"), SCENARIO.resolve("decisions.csv"), SCENARIO.resolve("policies"),
                "--as-of", "2026-03-01T00:00:00Z").toArray(String[]::new);
        ScenarioIT.Run first = ScenarioIT.Run.of(args);
        assertThat(first.exit()).as(first.stderr()).isEqualTo(1);
        Path runDir = Path.of(first.lastStdoutLine());
        assertThat(runDir.resolve("manifest.json")).as("a run folder, before deleting it").isRegularFile();
        Folders.deleteTree(runDir);
        ScenarioIT.Run again = ScenarioIT.Run.of(args);
        assertThat(again.exit()).isEqualTo(first.exit());
        assertThat(again.stderr()).contains("completed before", runDir.toString(), "is gone: re-creating it");
        assertThat(again.lastStdoutLine()).isEqualTo(runDir.toString());
        assertThat(runDir.resolve("manifest.json")).isRegularFile();
    }
}
