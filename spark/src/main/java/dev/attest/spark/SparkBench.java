package dev.attest.spark;

import dev.attest.core.findings.Severity;
import dev.attest.generator.Generator;
import dev.attest.io.Folders;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputSource;
import dev.attest.jobs.audit.AuditLauncher;
import dev.attest.jobs.audit.AuditOutcome;
import dev.attest.jobs.audit.AuditRequest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * `attest bench --engine spark --events N`: the same generated data audited by the embedded engine and by Spark at each
 * master, wall time of the whole audit (same job, same staging and writers) side by side. {@code --skew F} adds one customer
 * holding the fraction F of all events in one meter and period, and times Spark with the skew split on and off.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Wall time of one audit: embedded engine vs Spark at each master.")
final class SparkBench implements Callable<Integer> {
    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000") long events;
    @Option(names = "--seed", paramLabel = "S", defaultValue = "42") long seed;
    @Option(names = "--dir", paramLabel = "DIR") Path dir;
    @Option(names = "--engine", defaultValue = "spark") String engine;
    @Option(names = "--masters", split = ",", defaultValue = "local[1],local[2]") List<String> masters;
    @Option(names = "--skew", paramLabel = "FRACTION", defaultValue = "0", description = "Make one customer hold this share of events (0: none).")
    double skew;
    @Option(names = "--reuse", description = "Reuse the data of an earlier run in --dir.") boolean reuse;
    @Option(names = "--layout", defaultValue = "date", description = "date (default) or flat, as `attest bench`.") String layout;

    record Line(String engine, double seconds, double rateSeconds, long findings, String note) {}

    @Override
    public Integer call() throws Exception {
        Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("attest-spark-bench-");
        Path data = root.resolve("data");
        long t0 = System.nanoTime();
        if (!(reuse && Files.exists(data.resolve("truth.json")))) {
            Folders.deleteTree(data);
            if (skew > 0) Skewed.write(data, events, skew, seed);
            else ("flat".equals(layout) ? new Generator() : new Generator().withDateLayout()).generate(data, events, seed);
        }
        System.out.printf("events           %,d%s (generated in %.1f s)%n", events, skew > 0 ? String.format(" (one customer holds %.0f %%)", skew * 100) : "",
                (System.nanoTime() - t0) / 1e9);
        AuditRequest request = request(data, root.resolve("runs"));
        List<Line> lines = new ArrayList<>();
        lines.add(timed("embedded", root, request, null, -1));
        for (String m : masters) {
            if (skew > 0) lines.add(timed("spark " + m + " (no skew split)", root, request, m, Long.MAX_VALUE));
            lines.add(timed("spark " + m, root, request, m, -1));
        }
        double embedded = lines.get(0).seconds();
        System.out.printf("%-34s %9s %8s %9s %10s  %s%n", "engine", "wall s", "x embed", "rate s", "findings", "Spark tasks");
        for (Line l : lines)
            System.out.printf("%-34s %9.2f %8.2f %9.2f %,10d  %s%n", l.engine(), l.seconds(), l.seconds() / embedded, l.rateSeconds(), l.findings(), l.note());
        double l1 = lines.stream().filter(l -> l.engine().equals("spark local[1]")).mapToDouble(Line::seconds).findFirst().orElse(0);
        double l2 = lines.stream().filter(l -> l.engine().equals("spark local[2]")).mapToDouble(Line::seconds).findFirst().orElse(0);
        if (l1 > 0 && l2 > 0) System.out.printf("local[2] / local[1] = %.2f (target <= 0.65); local[2] / embedded = %.2f (target <= 3)%n", l2 / l1, l2 / embedded);
        if (dir == null) Folders.deleteTree(root);
        return 0;
    }

    private Line timed(String name, Path root, AuditRequest request, String master, long skewMin) throws Exception {
        Folders.deleteTree(root.resolve("runs"));
        try (var old = Files.list(root)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("metadata")).toList()) Files.delete(p);
        }
        String url = SparkAudit.h2(root.resolve("metadata"));
        if (master == null) {
            long a = System.nanoTime();
            AuditOutcome o;
            try (ConfigurableApplicationContext ctx = SparkBoot.start(url)) {
                o = ctx.getBean(AuditLauncher.class).run(request);
            }
            return line(name, a, o, "");
        }
        String old = System.getProperty(SparkRatePass.SKEW_MIN_EVENTS);
        if (skewMin > 0) System.setProperty(SparkRatePass.SKEW_MIN_EVENTS, Long.toString(skewMin));
        SparkSession spark = SparkSessions.start(master, 0);
        TaskSizes sizes = new TaskSizes();
        spark.sparkContext().addSparkListener(sizes);
        try {
            long a = System.nanoTime(); // the session's start is not timed: a cluster has it already
            AuditOutcome o = SparkAudit.run(spark, request, url);
            return line(name, a, o, sizes.text());
        } finally {
            spark.stop();
            if (old == null) System.clearProperty(SparkRatePass.SKEW_MIN_EVENTS);
            else System.setProperty(SparkRatePass.SKEW_MIN_EVENTS, old);
        }
    }

    private static Line line(String name, long started, AuditOutcome o, String note) {
        double s = (System.nanoTime() - started) / 1e9;
        if (!(o instanceof AuditOutcome.Completed c)) throw new IllegalStateException(name + ": the audit did not complete: " + o);
        Duration rate = c.stepTimes().getOrDefault("rate", Duration.ZERO);
        return new Line(name, s, rate.toMillis() / 1e3, c.findings(), note);
    }

    /** The largest shuffle read of one task (rows) and the longest task, over the audit's Spark jobs. */
    static final class TaskSizes extends SparkListener {
        final AtomicLong maxRows = new AtomicLong(), maxMillis = new AtomicLong(), tasks = new AtomicLong();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() == null) return;
            long rows = end.taskMetrics().shuffleReadMetrics().recordsRead();
            if (rows == 0) return;
            tasks.incrementAndGet();
            maxRows.accumulateAndGet(rows, Math::max);
            maxMillis.accumulateAndGet(end.taskInfo().duration(), Math::max);
        }

        String text() {
            return String.format("%d shuffle-reading tasks, largest %,d rows, longest %.1f s", tasks.get(), maxRows.get(), maxMillis.get() / 1e3);
        }
    }

    static AuditRequest request(Path data, Path out) throws Exception {
        JsonNode p = JsonMapper.builder().build().readTree(Files.readString(data.resolve("truth.json"))).path("parameters");
        Path customers = data.resolve(Generator.CUSTOMERS_FILE);
        return new AuditRequest(InputSource.files(data.resolve("events").toString()), InputSource.files(data.resolve("decisions").toString()),
                data.resolve("policies").toString(), out, instant(p, "from"), instant(p, "to"), instant(p, "as_of"),
                p.hasNonNull("tolerance") ? new BigDecimal(p.get("tolerance").asString()) : BigDecimal.ZERO,
                p.hasNonNull("late_after") ? Duration.parse(p.get("late_after").asString()) : null, Severity.ERROR, null,
                Files.isRegularFile(customers) ? customers.toString() : null);
    }

    private static Instant instant(JsonNode p, String key) {
        return p.hasNonNull(key) ? Instant.parse(p.get(key).asString()) : null;
    }

    /**
     * A data set with one heavy customer: N events over 1000 customers in January 2026 where customer "whale" holds the
     * fraction F of them, all on meter api_calls; graduated pricing, every event with its (correct) decision, written by DuckDB.
     */
    static final class Skewed {
        static void write(Path dir, long n, double fraction, long seed) throws Exception {
            Files.createDirectories(dir.resolve("events"));
            Files.createDirectories(dir.resolve("decisions"));
            Files.createDirectories(dir.resolve("policies"));
            Files.writeString(dir.resolve("policies").resolve("api.yaml"), """
                    policy_id: api-price
                    kind: price
                    meter: api_calls
                    currency: USD
                    versions:
                      - version: 1
                        valid_from: 2025-01-01T00:00:00Z
                        recorded_at: 2024-12-01T00:00:00Z
                        change_ref: CHG-1
                        author: bench
                        rule: {model: graduated, tiers: [{up_to: 1000, unit_price: 0.01}, {up_to: null, unit_price: 0.005}]}
                        rounding: {scale: 2, mode: half_up}
                    """);
            long whale = Math.round(n * fraction);
            try (Duck duck = Duck.inMemory()) {
                duck.execute("SELECT setseed(" + (seed % 1000) / 1000.0 + ")");
                duck.execute("CREATE TABLE ev AS SELECT 'e' || lpad(i::VARCHAR, 10, '0') AS event_id, "
                        + "CASE WHEN i < " + whale + " THEN 'whale' ELSE 'c' || lpad((i % 1000)::VARCHAR, 4, '0') END AS customer_id, "
                        + "'api_calls' AS meter, (1 + (hash(i) % 5))::DECIMAL(18,3) AS quantity, "
                        + "TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_microseconds((hash(i * 7) % 2678400000000)::BIGINT) AS event_time "
                        + "FROM range(" + n + ") t(i)");
                // The correct amount of each event: graduated over the period's running total, as core rates it.
                duck.execute("CREATE TABLE rated AS SELECT *, coalesce(sum(quantity) OVER (PARTITION BY customer_id ORDER BY event_time, event_id "
                        + "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before FROM ev");
                duck.execute("COPY (SELECT event_id, customer_id, meter, quantity, event_time FROM ev) TO "
                        + Duck.literal(dir.resolve("events").resolve("events.parquet").toString()) + " (FORMAT parquet)");
                duck.execute("COPY (SELECT 'd' || event_id AS decision_id, event_id, customer_id, meter, 'charged' AS outcome, "
                        + "round(0.01 * greatest(0, least(before + quantity, 1000) - least(before, 1000)) "
                        + "+ 0.005 * (greatest(before + quantity, 1000) - greatest(before, 1000)), 2)::DECIMAL(18,2) AS amount, "
                        + "'USD' AS currency, 'api-price' AS price_policy_id, 1 AS price_version, event_time + INTERVAL 1 SECOND AS decided_at, "
                        + "'inv-' || customer_id AS invoice_id FROM rated) TO "
                        + Duck.literal(dir.resolve("decisions").resolve("decisions.parquet").toString()) + " (FORMAT parquet)");
            }
            Files.writeString(dir.resolve("truth.json"), "{\"parameters\": {\"as_of\": \"2026-03-01T00:00:00Z\"}}");
        }
    }
}
