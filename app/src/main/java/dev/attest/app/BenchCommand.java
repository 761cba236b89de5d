package dev.attest.app;

import dev.attest.jobs.ProgramVersion;
import dev.attest.generator.Generator;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, version = ProgramVersion.TEXT,
        header = "Measure an end-to-end audit of N generated events: time per step, events/s, peak heap.", description = {
                "Benchmark: generate N events with decisions, audit them end to end, and print events per second, wall time per"
                        + " step and peak Java heap. A measurement, not a test: nothing here passes or fails."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000", description = "Events to generate (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--dir", paramLabel = "DIR", description = "Working folder (default: a new temporary folder, deleted afterwards).")
    Path dir;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Random seed of the generated data; the same seed gives the same files (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--layout", paramLabel = "LAYOUT", defaultValue = "date",
            description = "date (default): the data in hive date partitions (date=YYYY-MM-DD/); flat: a few large files.")
    String layout;

    @Option(names = "--reuse", description = "Reuse the data a previous run generated in --dir (same --events and --seed), to time the audit alone.")
    boolean reuse;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "1",
            description = "Audit the same data R times, each with a fresh run history, and report the median (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--floor", description = "Also time DuckDB alone on the same files: load both inputs (no validation), "
            + "join and sort them into billing partitions, write one Parquet file. No rating, reconciliation or lineage: "
            + "the least any audit built on DuckDB spends on this machine.")
    boolean floor;

    @Option(names = "--baseline", description = "Also time a hand-written DuckDB SQL re-rate of the same files (as-of version lookup, "
            + "cumulative graduated tiers, a full outer join with the decisions, three finding codes), alternated with the audit "
            + "run by run, and print the audit's time against it.")
    boolean baseline;

    @Option(names = "--nightly", paramLabel = "NIGHTS", defaultValue = "0",
            description = "Instead of one audit of everything: audit NIGHTS consecutive days from 1 February 2026, night by night, each "
                    + "in a fresh JVM starting from the state the previous night kept, and print each night's time.")
    int nightly;

    @Option(names = "--near-real-time", description = "Instead of one audit of everything: near-real-time passes over a live feed of the "
            + "month to date (1-30 January; about 300,000 events with --events 1000000): the month audited once, a pass with nothing new, "
            + "then a pass after --new-events events landed, which audits only the windows that closed, from the periods' state.")
    boolean nearRealTime;

    @Option(names = "--new-events", paramLabel = "N", defaultValue = "1000",
            description = "With --near-real-time: about how many new events land before the last pass (whole hours of data; default: ${DEFAULT-VALUE}).")
    long newEvents;

    @Option(names = "--engine", paramLabel = "ENGINE", defaultValue = "embedded",
            description = "spark: time the embedded engine and Spark at local[1] and local[2] on the same data (issue 19).")
    String engine;

    @Option(names = "--masters", paramLabel = "M1,M2", description = "With --engine spark: the Spark masters to time (default local[1],local[2]).")
    String masters;

    @Option(names = "--skew", paramLabel = "FRACTION", description = "With --engine spark: instead of the generator's data, one customer "
            + "holding this share of all events in one meter and period; Spark is timed with its skew split on and off.")
    String skew;

    @Option(names = "--stream", description = "Instead of a batch audit: attest stream under sustained load (issue 18). Generated data published to a "
            + "broker (a local one-node broker from this build's Kafka jars, unless --bootstrap-servers) at --rate decisions/s for --duration, audited "
            + "in this process; prints the achieved rate, verdicts/s, latency to the first verdict p50/p95/p99/max, the check time per record, "
            + "the consumer lag each second and how long it took to return to 0 after the load.")
    boolean stream;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000", description = "With --stream: decisions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", description = "With --stream: how long to publish, in seconds or as 90s, 2m, PT1M (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "With --stream: use this broker instead of starting one.")
    String bootstrap;

    @Option(names = "--find-ceiling", description = "With --stream: step the rate up (5k, 10k, 20k, 30k, 40k, 50k decisions/s, --step-duration each) "
            + "and report the highest with bounded lag.")
    boolean findCeiling;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE|FILE",
            description = "With --stream: a Kafka client property of the stream under load, as attest stream takes it (repeatable), "
                    + "e.g. compression.type=lz4.")
    private List<String> kafkaProperties = new ArrayList<>();

    @Option(names = "--step-duration", paramLabel = "DURATION", defaultValue = "20s", description = "With --find-ceiling: each rate's time (default: ${DEFAULT-VALUE}).")
    String stepDuration;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** One timed audit. */
    private record Run(AuditOutcome.Completed outcome, long wallNanos, long cpuNanos, long peakHeap) {}

    @Override
    public Integer call() throws Exception {
        if ("spark".equals(engine)) return SparkRunner.run("bench", spec.commandLine().getParseResult().originalArgs());
        if (stream) return stream();
        if (repeat < 1) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--repeat must be >= 1");
        if (!"date".equals(layout) && !"flat".equals(layout))
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--layout must be date or flat, got '" + layout + "'");
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("attest-bench-");
        long t0 = System.nanoTime();
        if (!(reuse && Files.exists(root.resolve("data").resolve("truth.json")))) (Layouts.date(layout) ? new Generator().withDateLayout() : new Generator()).generate(root.resolve("data"), events, seed);
        long generated = System.nanoTime() - t0;
        GeneratedData data = GeneratedData.read(root.resolve("data"));
        if (nightly > 0) return nightly(root, data, generated);
        if (nearRealTime) {
            System.out.printf("generate         %.2f s (%,d events)%n", generated / 1e9, events);
            int exit = NrtBench.run(root, data, newEvents);
            if (dir == null) dev.attest.io.Folders.deleteTree(root);
            return exit;
        }
        List<Run> runs = new ArrayList<>();
        List<Long> baselines = new ArrayList<>();
        dev.attest.core.policy.PolicyRegistry registry = baseline
                ? new dev.attest.core.policy.PolicyRegistry(dev.attest.io.policy.PolicyLoader.load(root.resolve("data").resolve("policies").toString())) : null;
        for (int r = 0; r < repeat; r++) {
            // A fresh run history and run folder: the same inputs would otherwise be the same, finished, audit.
            dev.attest.io.Folders.deleteTree(root.resolve("runs"));
            try (var old = Files.list(root)) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith("metadata")).toList()) Files.delete(p);
            }
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
            AuditOutcome outcome;
            long wall, cpu;
            try (ConfigurableApplicationContext ctx = AttestBoot.start(Metadata.h2(root.resolve("metadata")))) {
                long a0 = System.nanoTime(), c0 = processCpuNanos();
                outcome = ctx.getBean(AuditLauncher.class).run(data.auditRequest(root.resolve("runs")));
                wall = System.nanoTime() - a0;
                cpu = processCpuNanos() - c0;
            }
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
                if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
            if (!(outcome instanceof AuditOutcome.Completed c)) {
                AuditCommand.report(outcome);
                return outcome.exitStatus();
            }
            if (repeat > 1) System.out.printf("run %d/%d         %.2f s wall, %.1f s cpu%n", r + 1, repeat, wall / 1e9, cpu / 1e9);
            runs.add(new Run(c, wall, cpu, peakHeap));
            if (baseline) {
                long b = SqlBaseline.run(root.resolve("data"), registry, root);
                baselines.add(b);
                if (repeat > 1) System.out.printf("baseline %d/%d    %.2f s wall%n", r + 1, repeat, b / 1e9);
            }
        }
        if (floor) floor(root);
        runs.sort(java.util.Comparator.comparingLong(Run::wallNanos));
        Run m = runs.get(runs.size() / 2);
        System.out.printf("events           %,d%n", events);
        System.out.printf("generate         %.2f s%n", generated / 1e9);
        if (repeat > 1) System.out.printf("median of %d audits (by wall time); fastest %.2f s, slowest %.2f s%n", repeat,
                runs.get(0).wallNanos() / 1e9, runs.get(runs.size() - 1).wallNanos() / 1e9);
        for (Map.Entry<String, Duration> e : m.outcome().stepTimes().entrySet())
            System.out.printf("step %-11s %.2f s%n", e.getKey(), e.getValue().toMillis() / 1e3);
        System.out.printf("audit wall time  %.2f s%n", m.wallNanos() / 1e9);
        System.out.printf("audit cpu time   %.1f s (%.2f cores busy on average, %d available)%n", m.cpuNanos() / 1e9,
                (double) m.cpuNanos() / m.wallNanos(), Runtime.getRuntime().availableProcessors());
        System.out.printf("throughput       %,.0f events/s end to end%n", events / (m.wallNanos() / 1e9));
        System.out.printf("peak heap        %,d MiB (max heap %,d MiB)%n", m.peakHeap() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("findings         %,d%n", m.outcome().findings());
        if (baseline) {
            List<Long> sorted = baselines.stream().sorted().toList();
            long b = sorted.get(sorted.size() / 2);
            System.out.printf("SQL baseline     %.2f s (median of %d, alternated with the audits): %,.0f events/s; the audit takes %.1f times as long%n",
                    b / 1e9, sorted.size(), events / (b / 1e9), (double) m.wallNanos() / b);
        }
        if (dir == null) dev.attest.io.Folders.deleteTree(root);
        return 0;
    }

    private int stream() throws Exception {
        picocli.CommandLine cl = new picocli.CommandLine(this);
        if (rate < 1) throw new picocli.CommandLine.ParameterException(cl, "--rate must be >= 1");
        Duration d, step;
        try {
            // A bare number is seconds here: --duration 60.
            d = dev.attest.stream.StreamCommand.parseDuration("--duration", duration.matches("\\d+") ? duration + "s" : duration);
            step = dev.attest.stream.StreamCommand.parseDuration("--step-duration", stepDuration.matches("\\d+") ? stepDuration + "s" : stepDuration);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cl, e.getMessage());
        }
        if (d.toMillis() < 1000 || step.toMillis() < 1000) throw new picocli.CommandLine.ParameterException(cl, "--duration and --step-duration must be >= 1s");
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("attest-bench-stream-");
        try {
            java.util.Properties kafka;
            try {
                kafka = dev.attest.stream.StreamCommand.kafka(kafkaProperties);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(cl, e.getMessage());
            }
            return StreamBench.run(root, bootstrap, rate, d, seed, findCeiling, step, kafka, System.out);
        } finally {
            if (dir == null) dev.attest.io.Folders.deleteTree(root);
        }
    }

    /**
     * A month audited night by night: one `attest audit` process per night (a fresh JVM, as cron would start it), each
     * window one UTC day, all writing to one --out folder so that each night starts from the state the previous one
     * kept. Prints each night's wall time and the last night's against the second's (the first has no state).
     */
    private int nightly(Path root, GeneratedData data, long generated) throws Exception {
        // `java -jar attest.jar` puts exactly the jar on the class path.
        Path jar = Path.of(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)[0]);
        if (!jar.toString().endsWith(".jar") || !Files.isRegularFile(jar)) {
            System.err.println("attest: --nightly starts `java -jar attest.jar` per night; run it from the jar (./attest bench --nightly ...)");
            return 2;
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path out = root.resolve("nightly");
        dev.attest.io.Folders.deleteTree(out);
        Instant first = Instant.parse("2026-02-01T00:00:00Z");
        Instant asOf = data.auditRequest(out).asOf();
        System.out.printf("events           %,d (%s layout)%n", events, layout);
        System.out.printf("generate         %.2f s%n", generated / 1e9);
        System.out.println("night  window                  wall s   from state");
        double second = 0, last = 0;
        for (int n = 0; n < nightly; n++) {
            Instant from = first.plus(Duration.ofDays(n)), to = from.plus(Duration.ofDays(1));
            List<String> cmd = new ArrayList<>(List.of(javaBin, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx4g", "-jar", jar.toString()));
            List<String> args = data.auditArguments(out, Metadata.h2(root.resolve("metadata-nightly")));
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals("--from") || args.get(i).equals("--to")) {
                    i++; // the night's window instead of the data's
                    continue;
                }
                cmd.add(args.get(i));
            }
            cmd.addAll(List.of("--from", from.toString(), "--to", to.toString()));
            long t = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int exit = p.waitFor();
            double wall = (System.nanoTime() - t) / 1e9;
            if (exit > 1) {
                System.err.print(err);
                System.err.println("attest: night " + (n + 1) + " failed with exit status " + exit);
                return exit;
            }
            boolean fromState = err.contains("starting from the periods' state");
            System.out.printf("%5d  %s  %7.2f   %s%n", n + 1, from.toString().substring(0, 10) + " .. " + to.toString().substring(0, 10), wall,
                    fromState ? "yes" : "no");
            if (n == 1) second = wall;
            last = wall;
        }
        if (nightly > 2) System.out.printf("night %d / night 2  %.2f (target <= 1.5)%n", nightly, last / second);
        if (dir == null) dev.attest.io.Folders.deleteTree(root);
        return 0;
    }

    /** DuckDB's own time for the relational minimum of an audit, in memory, with every core. */
    private static void floor(Path root) throws java.io.IOException {
        Path out = Files.createTempFile(root, "floor-", ".parquet");
        String events = dev.attest.io.duck.Duck.literal(root.resolve("data/events").toString() + "/**/*.parquet");
        String decisions = dev.attest.io.duck.Duck.literal(root.resolve("data/decisions").toString() + "/**/*.parquet");
        String[][] steps = {
                {"load events", "CREATE TABLE e AS SELECT *, file_row_number + 1 AS src_row FROM read_parquet(" + events + ", file_row_number=true)"},
                {"load decisions", "CREATE TABLE d AS SELECT *, file_row_number + 1 AS src_row FROM read_parquet(" + decisions + ", file_row_number=true)"},
                {"join and sort", "CREATE TABLE j AS SELECT e.event_id, e.customer_id, e.meter, e.quantity, e.event_time, d.decision_id, "
                        + "d.outcome, d.amount, d.currency, d.price_policy_id, d.price_version, d.decided_at FROM e LEFT JOIN d USING (event_id) "
                        + "ORDER BY e.customer_id, e.meter, e.event_time, e.event_id"},
                {"write Parquet", "COPY j TO " + dev.attest.io.duck.Duck.literal(out.toString()) + " (FORMAT parquet, COMPRESSION zstd)"}};
        long total = 0;
        try (dev.attest.io.duck.Duck duck = dev.attest.io.duck.Duck.inMemory()) {
            for (String[] step : steps) {
                long t = System.nanoTime();
                duck.execute(step[1]);
                t = System.nanoTime() - t;
                total += t;
                System.out.printf("floor %-14s %.2f s%n", step[0], t / 1e9);
            }
        } finally {
            Files.deleteIfExists(out);
        }
        System.out.printf("floor total          %.2f s: DuckDB alone, before validation, rating, reconciliation and lineage%n", total / 1e9);
        // The same work as one statement, nothing materialised: what a fully fused plan could hope for.
        try (dev.attest.io.duck.Duck duck = dev.attest.io.duck.Duck.inMemory()) {
            long t = System.nanoTime();
            duck.execute("COPY (SELECT e.event_id, e.customer_id, e.meter, e.quantity, e.event_time, d.decision_id, d.outcome, d.amount, "
                    + "d.currency, d.price_policy_id, d.price_version, d.decided_at FROM read_parquet(" + events + ") e "
                    + "LEFT JOIN read_parquet(" + decisions + ") d USING (event_id) ORDER BY e.customer_id, e.meter, e.event_time, e.event_id) TO "
                    + dev.attest.io.duck.Duck.literal(out.toString()) + " (FORMAT parquet, COMPRESSION zstd)");
            System.out.printf("floor fused          %.2f s: the same read, join, sort and write as one statement%n", (System.nanoTime() - t) / 1e9);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }
}
