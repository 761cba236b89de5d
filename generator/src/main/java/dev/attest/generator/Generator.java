package dev.attest.generator;

import dev.attest.core.findings.FindingCode;
import dev.attest.core.policy.Policy;
import dev.attest.generator.PartitionOutput.TruthFault;
import dev.attest.generator.PartitionOutput.TruthFinding;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Writes a realistic synthetic dataset with injected faults of every finding code, and its ground truth
 * ({@code attest generate}, {@code attest demo}). Deterministic: the same (events, seed) gives the same rows
 * in the same order and a byte-identical {@code truth.json}.
 *
 * <p>Layout of {@code outDir}:
 * <ul>
 *   <li>{@code events/events.parquet} (or {@code events-00000.parquet}, ... one per {@value #DEFAULT_CHUNK_ROWS} rows)
 *   <li>{@code decisions/decisions.parquet} (likewise)
 *   <li>{@code policies/<policy_id>.yaml}, one per policy
 *   <li>{@code customers.csv}: the customers input of contracts section 10 ({@code customer_id,billing_anchor_day,billing_zone}),
 *       every customer with its own billing cycle and a few on the default; the truth assumes an audit that reads it
 *   <li>{@code truth.json}: the audit parameters, the exact multiset of expected findings, and the injected faults
 * </ul>
 *
 * <p>Events are made and rated partition by partition ((customer, meter, billing period of the customer's cycle): the core {@code PeriodRater}
 * gives each decision its correct as-known amount, with the event's own knowledge time, before faults are
 * applied) on one worker thread per core. Consecutive partitions of about {@value #TASK_EVENTS} events form a
 * task whose rows become one Arrow batch per table; batches are streamed in partition order into DuckDB,
 * which writes the Parquet files ({@link ParquetChunks}). Memory is bounded: one partition's rows per
 * worker on the heap, a few batches per table off the heap.
 *
 * <p>The scenario, the faults and what each one causes are described in {@link Scenario} and {@link FaultKind}.
 */
public final class Generator {
    public static final long DEFAULT_CHUNK_ROWS = 2_000_000L;
    /** The customers input the generator writes beside events/, decisions/ and policies/. */
    public static final String CUSTOMERS_FILE = "customers.csv";

    private final int threads;
    private final long chunkRows;
    private final boolean faults;
    private final boolean dateLayout;

    public Generator() {
        this(Runtime.getRuntime().availableProcessors(), DEFAULT_CHUNK_ROWS);
    }

    /** @param threads worker threads that make and rate partitions; @param chunkRows rows per Parquet file */
    public Generator(int threads, long chunkRows) {
        this(threads, chunkRows, true);
    }

    private Generator(int threads, long chunkRows, boolean faults) {
        this(threads, chunkRows, faults, false);
    }

    private Generator(int threads, long chunkRows, boolean faults, boolean dateLayout) {
        this.faults = faults;
        this.dateLayout = dateLayout;
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        if (chunkRows < 1) throw new IllegalArgumentException("chunkRows must be >= 1");
        this.threads = threads;
        this.chunkRows = chunkRows;
    }

    /**
     * The same world without injected faults: every decision is what the rules known at its time say (the
     * scenario's late correction of cust-0003's February API price still makes RETROACTIVE_CORRECTION
     * findings). Backfill tests start from it and add a correction of their own.
     */
    public Generator withoutFaults() {
        return new Generator(threads, chunkRows, false, dateLayout);
    }

    /**
     * Writes events and decisions as hive date partitions, {@code events/date=YYYY-MM-DD/} by the UTC day of event_time
     * and {@code decisions/date=YYYY-MM-DD/} by that of decided_at: the layout of a lake, in which an audit of a
     * window reads only the days it can need. The rows and the truth are the same as in the flat layout.
     */
    public Generator withDateLayout() {
        return new Generator(threads, chunkRows, faults, true);
    }

    /**
     * Writes {@code events} usage events with their decisions, the policies and truth.json into {@code outDir}
     * (created; files this generator wrote there before are replaced).
     */
    public GenerationResult generate(Path outDir, long events, long seed) {
        try {
            return run(outDir, events, seed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private GenerationResult run(Path outDir, long events, long seed) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Scenario scenario = new Scenario(events, seed, faults);
        Path eventsDir = clean(outDir.resolve("events"), "*.parquet");
        Path decisionsDir = clean(outDir.resolve("decisions"), "*.parquet");
        Path policiesDir = clean(outDir.resolve("policies"), "*.yaml");
        Path truthFile = outDir.resolve("truth.json");
        Files.deleteIfExists(truthFile);
        writeCustomers(outDir.resolve(CUSTOMERS_FILE), scenario);

        int versions = 0;
        for (Policy p : scenario.policies) {
            Files.writeString(policiesDir.resolve(p.policyId() + ".yaml"), PolicyYaml.render(p), StandardCharsets.UTF_8);
            versions += p.versions().size();
        }

        List<TruthFinding> findings = new ArrayList<>();
        List<Located> faults = new ArrayList<>();
        List<Path> eventFiles, decisionFiles;
        long eventRows, decisionRows;
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads("attest-generator-"));
        ExecutorService writers = Executors.newFixedThreadPool(2, daemonThreads("attest-writer-"));
        ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        try (BufferAllocator allocator = new RootAllocator();
             ParquetChunks ev = new ParquetChunks(writers, allocator, ArrowBatches.EVENTS, eventsDir, "events", chunkRows);
             ParquetChunks dec = new ParquetChunks(writers, allocator, ArrowBatches.DECISIONS, decisionsDir, "decisions", chunkRows)) {
            PartitionWork work = new PartitionWork(scenario);
            try {
                List<List<Scenario.PartitionSpec>> tasks = tasks(scenario.partitions, Math.min(TASK_EVENTS, chunkRows));
                int next = 0, ahead = threads + 2;
                while (next < tasks.size() || !inFlight.isEmpty()) {
                    while (next < tasks.size() && inFlight.size() < ahead) {
                        List<Scenario.PartitionSpec> task = tasks.get(next++);
                        inFlight.add(pool.submit(() -> batch(work, allocator, task)));
                    }
                    Batch b = get(inFlight.poll());
                    ev.add(b.events(), b.eventRows());
                    dec.add(b.decisions(), b.decisionRows());
                    findings.addAll(b.findings());
                    faults.addAll(b.faults());
                }
                eventFiles = ev.finish();
                decisionFiles = dec.finish();
                if (dateLayout) {
                    eventFiles = DateLayout.repartition(eventsDir, eventFiles, "event_time", "events");
                    decisionFiles = DateLayout.repartition(decisionsDir, decisionFiles, "decided_at", "decisions");
                }
                eventRows = ev.total();
                decisionRows = dec.total();
            } catch (RuntimeException | InterruptedException | IOException | Error e) {
                pool.shutdownNow();
                for (Future<Batch> f : inFlight) release(f);
                throw e;
            }
        } finally {
            pool.shutdownNow();
            writers.shutdownNow();
        }

        Map<FindingCode, Long> counts = new EnumMap<>(FindingCode.class);
        // The contract's codes: a generated data set is audited without a checks file, so no THRESHOLD_* finding.
        for (FindingCode c : FindingCode.values()) if (c.inContract()) counts.put(c, 0L);
        for (TruthFinding f : findings) counts.merge(f.code(), 1L, Long::sum);
        writeTruth(truthFile, scenario, eventRows, decisionRows, versions, counts, findings, faults);
        return new GenerationResult(outDir, seed, events, eventRows, decisionRows, scenario.policies.size(), versions, faults.size(),
                counts, eventFiles, decisionFiles, policiesDir, truthFile, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** customers.csv: one row per listed customer, in customer order. */
    private static void writeCustomers(Path file, Scenario s) throws IOException {
        StringBuilder b = new StringBuilder("customer_id,billing_anchor_day,billing_zone\n");
        for (Scenario.Customer c : s.customers)
            if (c.listed()) b.append(c.id()).append(',').append(c.cycle().anchorDay()).append(',').append(zoneId(c.cycle())).append('\n');
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /** The IANA id of a cycle's zone: {@code UTC} for the normalised UTC offset (whose own id, {@code Z}, is not an IANA id). */
    static String zoneId(dev.attest.core.rating.BillingCycle cycle) {
        return cycle.zone().equals(java.time.ZoneOffset.UTC) ? "UTC" : cycle.zone().getId();
    }

    private record Located(String customerId, String meter, TruthFault fault) {}

    /** Consecutive partitions with about this many events make one task and one Arrow batch per table. */
    static final int TASK_EVENTS = 64 * 1024;

    static List<List<Scenario.PartitionSpec>> tasks(List<Scenario.PartitionSpec> partitions, long target) {
        List<List<Scenario.PartitionSpec>> tasks = new ArrayList<>();
        List<Scenario.PartitionSpec> current = new ArrayList<>();
        long events = 0;
        for (Scenario.PartitionSpec p : partitions) {
            current.add(p);
            events += p.count();
            if (events >= target) {
                tasks.add(current);
                current = new ArrayList<>();
                events = 0;
            }
        }
        if (!current.isEmpty()) tasks.add(current);
        return tasks;
    }

    /** One task's rows as Arrow batches, and its truth; the rows themselves are not kept. */
    private record Batch(ArrowRecordBatch events, int eventRows, ArrowRecordBatch decisions, int decisionRows,
                         List<TruthFinding> findings, List<Located> faults) {}

    private static Batch batch(PartitionWork work, BufferAllocator allocator, List<Scenario.PartitionSpec> task) {
        List<TruthFinding> findings = new ArrayList<>();
        List<Located> faults = new ArrayList<>();
        int capacity = 16;
        for (Scenario.PartitionSpec p : task) capacity += p.count();
        try (ArrowBatches.Events events = new ArrowBatches.Events(allocator, capacity);
             ArrowBatches.Decisions decisions = new ArrowBatches.Decisions(allocator, capacity)) {
            for (Scenario.PartitionSpec p : task) {
                PartitionOutput out = work.run(p);
                events.add(out);
                decisions.add(out);
                findings.addAll(out.findings());
                for (TruthFault f : out.faults()) faults.add(new Located(out.customerId(), out.meter(), f));
            }
            ArrowRecordBatch e = events.finish();
            try {
                return new Batch(e, events.rows(), decisions.finish(), decisions.rows(), findings, faults);
            } catch (RuntimeException | Error x) {
                e.close();
                throw x;
            }
        }
    }

    /** Frees the Arrow batches of a task that will not be written. */
    private static void release(Future<Batch> f) {
        try {
            Batch b = f.get();
            b.events().close();
            b.decisions().close();
        } catch (Exception ignored) {
            // it failed or was cancelled: nothing to free
        }
    }

    private static <T> T get(Future<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Creates the folder and removes what an earlier run of the generator left there. */
    private static Path clean(Path dir, String glob) throws IOException {
        Files.createDirectories(dir);
        DateLayout.clean(dir);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, glob)) {
            for (Path p : old) Files.delete(p);
        }
        return dir;
    }

    // ---- truth.json: written by hand so that it is byte-identical for a seed, one finding per line ----

    private static void writeTruth(Path file, Scenario s, long eventRows, long decisionRows, int versions, Map<FindingCode, Long> counts,
                                   List<TruthFinding> findings, List<Located> faults) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder b = new StringBuilder(256);
            w.write("{\n");
            w.write("  \"format\": \"attest-truth/1\",\n");
            w.write("  \"seed\": " + s.seed + ",\n");
            w.write("  \"events\": " + s.events + ",\n");
            w.write("  \"event_rows\": " + eventRows + ",\n");
            w.write("  \"decisions\": " + decisionRows + ",\n");
            w.write("  \"policies\": " + s.policies.size() + ",\n");
            w.write("  \"policy_versions\": " + versions + ",\n");
            w.write("  \"parameters\": {\"from\": \"" + Scenario.FROM + "\", \"to\": \"" + Scenario.TO + "\", \"as_of\": \"" + Scenario.AS_OF
                    + "\", \"late_after\": \"" + Scenario.LATE_AFTER + "\", \"tolerance\": \"0\"},\n");
            w.write("  \"counts\": {");
            boolean first = true;
            for (Map.Entry<FindingCode, Long> e : counts.entrySet()) {
                w.write((first ? "" : ", ") + "\"" + e.getKey().name() + "\": " + e.getValue());
                first = false;
            }
            w.write("},\n");
            w.write("  \"expected_findings\": [");
            for (int i = 0; i < findings.size(); i++) {
                b.setLength(0);
                b.append(i == 0 ? "\n    " : ",\n    ");
                finding(b, findings.get(i));
                w.write(b.toString());
            }
            w.write(findings.isEmpty() ? "],\n" : "\n  ],\n");
            w.write("  \"faults\": [");
            for (int i = 0; i < faults.size(); i++) {
                Located l = faults.get(i);
                TruthFault f = l.fault();
                b.setLength(0);
                b.append(i == 0 ? "\n    " : ",\n    ");
                b.append("{\"fault\": ");
                str(b, f.fault().name());
                b.append(", \"event_id\": ");
                str(b, f.eventId());
                b.append(", \"decision_id\": ");
                str(b, f.decisionId());
                b.append(", \"customer_id\": ");
                str(b, l.customerId());
                b.append(", \"meter\": ");
                str(b, l.meter());
                b.append(", \"note\": ");
                str(b, f.note());
                b.append(", \"causes\": [");
                for (int j = 0; j < f.causes().size(); j++) {
                    if (j > 0) b.append(", ");
                    finding(b, f.causes().get(j));
                }
                b.append("]}");
                w.write(b.toString());
            }
            w.write(faults.isEmpty() ? "]\n" : "\n  ]\n");
            w.write("}\n");
        }
    }

    private static void finding(StringBuilder b, TruthFinding f) {
        b.append("{\"code\": ");
        str(b, f.code().name());
        b.append(", \"event_id\": ");
        str(b, f.eventId());
        b.append(", \"decision_id\": ");
        str(b, f.decisionId());
        b.append('}');
    }

    private static void str(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, b);
        b.append('"');
    }
}
