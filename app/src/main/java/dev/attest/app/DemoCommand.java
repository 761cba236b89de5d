package dev.attest.app;

import dev.attest.generator.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", description = {
        "Generate a realistic faulty dataset into a temporary folder (or --out), audit it with an embedded",
        "H2 run history beside it, print the summary and where report.html is."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the data and the run (default: a new temporary folder).")
    Path out;

    @Option(names = "--events", paramLabel = "N", defaultValue = "20000", description = "Events to generate (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Path root = out != null ? Files.createDirectories(out) : Files.createTempDirectory("attest-demo-");
        Path data = root.resolve("data");
        System.err.println("attest: generating " + events + " events with injected faults into " + data);
        new Generator().generate(data, events, seed);
        GeneratedData generated = GeneratedData.read(data);
        Path runs = root.resolve("runs");
        System.err.println("attest: auditing (run history in " + root.resolve("metadata") + ".mv.db)");
        int status = AuditCommand.run(generated.auditRequest(runs), Metadata.h2(root.resolve("metadata")));
        if (status > 1) return status;
        try (var dirs = Files.list(runs)) {
            Path run = dirs.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().orElseThrow();
            System.err.println();
            System.err.println(Files.readString(run.resolve("summary.json")));
            System.err.println("attest: the injected faults are listed in " + data.resolve("truth.json"));
            System.err.println("attest: open the report in a browser: " + run.resolve("report.html"));
            System.out.println(run);
        }
        return status;
    }
}
