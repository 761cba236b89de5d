package dev.attest.app;

import dev.attest.generator.Generator;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", header = "Measure an end-to-end audit of N generated events: time per step, events/s, peak heap.", description = {
        "Benchmark: generate N events with decisions, audit them end to end, and print events per second,",
        "wall time per step and peak Java heap. A measurement, not a test: nothing here passes or fails."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000", description = "Events to generate (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--dir", paramLabel = "DIR", description = "Working folder (default: a new temporary folder, deleted afterwards).")
    Path dir;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42")
    long seed;

    @Option(names = "--reuse", description = "Reuse the data a previous run generated in --dir (same --events and --seed), to time the audit alone.")
    boolean reuse;

    @Override
    public Integer call() throws Exception {
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("attest-bench-");
        long t0 = System.nanoTime();
        if (reuse && Files.exists(root.resolve("data").resolve("truth.json"))) {
            // A fresh run history and run folder: the same inputs would otherwise be the same, finished, audit.
            dev.attest.jobs.audit.Folders.deleteTree(root.resolve("runs"));
            try (var old = Files.list(root)) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith("metadata")).toList()) Files.delete(p);
            }
        } else {
            new Generator().generate(root.resolve("data"), events, seed);
        }
        long generated = System.nanoTime() - t0;
        GeneratedData data = GeneratedData.read(root.resolve("data"));
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
        AuditOutcome outcome;
        long auditNanos;
        try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.h2(root.resolve("metadata")))) {
            long a0 = System.nanoTime();
            outcome = ctx.getBean(AuditLauncher.class).run(data.auditRequest(root.resolve("runs")));
            auditNanos = System.nanoTime() - a0;
        }
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
        if (!(outcome instanceof AuditOutcome.Completed c)) {
            AuditCommand.report(outcome);
            return outcome.exitStatus();
        }
        System.out.printf("events           %,d%n", events);
        System.out.printf("generate         %.2f s%n", generated / 1e9);
        for (Map.Entry<String, Duration> e : c.stepTimes().entrySet())
            System.out.printf("step %-11s %.2f s%n", e.getKey(), e.getValue().toMillis() / 1e3);
        System.out.printf("audit wall time  %.2f s%n", auditNanos / 1e9);
        System.out.printf("throughput       %,.0f events/s end to end%n", events / (auditNanos / 1e9));
        System.out.printf("peak heap        %,d MiB (max heap %,d MiB)%n", peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("findings         %,d%n", c.findings());
        if (dir == null) dev.attest.jobs.audit.Folders.deleteTree(root);
        return 0;
    }
}
