package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.generator.Generator;
import dev.attest.io.duck.Duck;
import dev.attest.jobs.audit.AuditOutcome;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Generate a faulty dataset, audit it on embedded defaults, and check the findings against the truth.", description = {
                "Generate a realistic faulty dataset into a temporary folder (or --out), audit it with an embedded H2 run "
                        + "history beside it, print the summary and where report.html is.",
                "Exit status 0 when the audit reported exactly the injected faults, 1 otherwise."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the data and the run (default: a new temporary folder).")
    Path out;

    @Option(names = "--events", paramLabel = "N", defaultValue = "20000", description = "Events to generate (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stream", description = "Also stream the data through Kafka (a local one-node broker from this build's Kafka jars, unless "
            + "--bootstrap-servers), print verdicts/s, findings per code and latency percentiles, and compare with the batch audit: exit 0 only when they agree.")
    boolean stream;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "2000", description = "With --stream: messages per second to publish (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "With --stream: use this broker instead of starting one.")
    String bootstrap;

    /** (code, event_id, decision_id) of every finding of a run, sorted. */
    static List<String> findings(Path run) {
        try (Duck duck = Duck.inMemory()) {
            List<String> out = new ArrayList<>();
            for (Map<String, Object> r : duck.queryRows("SELECT code, coalesce(event_id, '') AS e, coalesce(decision_id, '') AS d FROM read_parquet("
                    + Duck.literal(run.resolve("findings.parquet").toString()) + ") ORDER BY ALL"))
                out.add(r.get("code") + "," + r.get("e") + "," + r.get("d"));
            return out.stream().sorted().toList();
        }
    }

    @Override
    public Integer call() throws Exception {
        Path root = out != null ? Files.createDirectories(out) : Files.createTempDirectory("attest-demo-");
        Path data = root.resolve("data");
        System.err.println("attest: generating " + events + " events with injected faults into " + data);
        new Generator().generate(data, events, seed);
        GeneratedData generated = GeneratedData.read(data);
        Path runs = root.resolve("runs");
        System.err.println("attest: auditing (run history in " + root.resolve("metadata") + ".mv.db)");
        AuditOutcome outcome = AuditCommand.launch(generated.auditRequest(runs), Metadata.h2(root.resolve("metadata")));
        int status = AuditCommand.report(outcome, false);
        if (!(outcome instanceof AuditOutcome.Completed completed)) return status;
        Path run = completed.runDir();
        // The demo's data has faults on purpose: it succeeds when the audit found exactly those.
        List<String> expected = generated.expectedFindings();
        List<String> found = findings(run);
        boolean exact = expected.equals(found);
        System.err.printf("attest: the injected faults and the retroactive correction must cause %d findings (see %s);%n"
                + "attest: the audit reported %d: %s%n", expected.size(), data.resolve("truth.json"), found.size(),
                exact ? "exactly those" : "NOT those (a bug: please report it with the data folder)");
        System.err.println("attest: totals and parameters in " + run.resolve("summary.json"));
        System.err.println("attest: open the report in a browser: " + run.resolve("report.html"));
        if (stream) {
            if (rate < 1) {
                System.err.println("attest: --rate must be >= 1");
                return 2;
            }
            System.err.println("attest: streaming the same data through Kafka at " + rate + " messages/s"
                    + (bootstrap == null ? " (starting a local broker)" : " via " + bootstrap));
            dev.attest.stream.StreamDemo.Result r = dev.attest.stream.StreamDemo.run(data, generated.customers(), root, bootstrap, rate);
            dev.attest.stream.StreamDemo.describe(r).forEach(l -> System.err.println("attest: " + l));
            boolean same = r.findings().equals(found);
            System.err.println("attest: stream vs batch: " + (same ? "the same " + found.size() + " findings" : "DIFFERENT: stream " + r.findings().size()
                    + " findings, batch " + found.size()));
            exact &= same;
        }
        System.out.println(run);
        return exact ? 0 : 1;
    }
}
