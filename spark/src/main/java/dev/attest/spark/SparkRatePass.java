package dev.attest.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.engine.audit.AuditWindow;
import dev.attest.engine.audit.FindingSink;
import dev.attest.engine.audit.RatePass;
import dev.attest.io.arrow.DuckTableSink;
import dev.attest.io.duck.Duck;
import dev.attest.jobs.audit.AuditEngine;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF4;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rating pass on Spark (issue 19). The staged inputs (DuckDB's staging on the driver: the contract's parsing,
 * quarantine and duplicate deliveries, one code path with the embedded engine) are handed to Spark as Parquet; Spark
 * joins each event with its decisions, repartitions by (customer, meter, billing period of the customer's cycle, chunk),
 * sorts within partitions and runs core's fold in {@code mapPartitions} ({@link PartitionFold}). Its output (expectations,
 * rating findings, window-end states) is written by Spark as Parquet and taken into the workspace, where reconciliation
 * and the run folder's writers read it as they read the embedded pass's.
 *
 * <p>Skew: a (customer, meter, period) holding more than a task's fair share of events is split into time-ordered chunks
 * when the fold allows it (no volume price and no entitlement that can bind within the period): phase one sums each
 * chunk's quantity, the driver turns the sums into prefix offsets, and phase two starts each chunk's fold from its offset.
 */
public final class SparkRatePass implements AuditEngine {
    private static final Logger log = LoggerFactory.getLogger(SparkRatePass.class);
    /** A period is split only when it holds more events than this and more than a task's share (system property). */
    public static final String SKEW_MIN_EVENTS = "attest.spark.skew.min.events";
    /**
     * A folder on a filesystem every executor reads (hdfs:, s3a:, a shared mount), for the staged inputs and Spark's output
     * (system property). Without it they stay in the run's workspace under --out, which suits local masters.
     */
    public static final String SCRATCH = "attest.spark.scratch";

    private static final boolean TRACE = Boolean.getBoolean("attest.trace");
    private final SparkSession spark;
    private volatile Stats last;

    /** What the last pass measured: tasks, heavy keys split, and the largest task's event rows. */
    public record Stats(int tasks, int heavyKeys, int splitKeys, int chunks, long events, long largestKey) {}

    public SparkRatePass(SparkSession spark) {
        if (spark == null) throw new IllegalArgumentException("a Spark session is required");
        this.spark = spark;
    }

    public Stats lastStats() {
        return last;
    }

    @Override
    public RatePass.Result rate(RateStep step) throws Exception {
        long tStart = System.nanoTime();
        Duck duck = step.duck();
        AuditWindow window = step.window();
        Path dir = step.workDir().resolve("spark");
        deleteTree(dir);
        Files.createDirectories(dir);
        window.writeBounds(duck); // customers with a billing cycle of their own: their rating scope
        Path events = dir.resolve("events.parquet"), decisions = dir.resolve("decisions.parquet"), statesIn = dir.resolve("states_in.parquet");
        duck.execute("COPY (SELECT e.event_id, e.customer_id, e.meter, e.quantity, e.event_time, e.value, e.dimensions::VARCHAR AS dimensions, "
                + window.contains("e.event_time") + " AS in_window FROM events_unique e" + window.boundsJoin("e.customer_id") + " WHERE "
                + window.ratingScope("e.event_time") + ") TO " + Duck.literal(events.toString()) + " (FORMAT parquet)");
        duck.execute("COPY (SELECT d.event_id AS d_event_id, d.decision_id, d.outcome, d.amount, d.currency, d.price_policy_id, d.price_version, "
                + "d.discount_policy_id, d.discount_version, d.entitlement_policy_id, d.entitlement_version, d.decided_at, d.invoice_id, "
                + "d.customer_id AS d_customer_id, d.meter AS d_meter FROM decisions d WHERE d.event_id IS NOT NULL) TO "
                + Duck.literal(decisions.toString()) + " (FORMAT parquet)");
        if (step.statesIn() != null)
            duck.execute("COPY (SELECT customer_id AS st_customer_id, meter AS st_meter, period_start AS st_period_start, "
                    + "known_before AS st_known_before, known_volume_fee_due AS st_known_fee_due, corrected_before AS st_corrected_before, "
                    + "corrected_volume_fee_due AS st_corrected_fee_due FROM " + step.statesIn() + ") TO " + Duck.literal(statesIn.toString())
                    + " (FORMAT parquet)");

        long t0 = System.nanoTime();
        RatingSpec spec = RatingSpec.of(step.request().policies(), window.cycles(), window.cutoff(), step.params());
        Path out = dir.resolve("out");
        Stats stats;
        try {
            stats = rateOnSpark(step, spec, dir, events, decisions, statesIn, out);
        } catch (RuntimeException e) {
            // A task's input error (an amount beyond DECIMAL(38,9)) reaches the driver inside Spark's job failure: rethrow it
            // as itself, so the audit ends with exit 2 and its message as the embedded engine's does.
            for (Throwable c = e; c != null; c = c.getCause())
                if (c instanceof dev.attest.io.input.InputException input) throw input;
            throw e;
        }
        last = stats;
        long t1 = System.nanoTime();

        DuckDBConnection conn = (DuckDBConnection) duck.connection();
        FindingSink.createTable(conn, "findings_rate");
        String parts = parts(out);
        if (parts != null)
            duck.execute("INSERT INTO findings_rate SELECT " + Layout.columns("f_", FindingSink.FIELDS) + " FROM read_parquet("
                    + parts + ") WHERE kind = 'F'");
        writeExpected(duck, conn, parts, step.expectedParquet());
        if (step.statesOut() != null) {
            DuckTableSink.createTable(conn, step.statesOut(), RatePass.STATE_FIELDS);
            if (parts != null)
                duck.execute("INSERT INTO " + step.statesOut() + " SELECT " + Layout.columns("s_", RatePass.STATE_FIELDS) + " FROM read_parquet("
                        + parts + ") WHERE kind = 'S'");
            carryUntouched(duck, window, step.statesIn(), step.statesOut());
        }
        long rated = duck.queryLong("SELECT count(*) FROM read_parquet(" + Duck.literal(events.toString()) + ")");
        long inWindow = duck.queryLong("SELECT count(*) FROM expected");
        long findings = duck.queryLong("SELECT count(*) FROM findings_rate");
        if (TRACE) System.err.printf("TRACE spark rate: export %d ms, spark %d ms, import %d ms; %s%n", (t0 - tStart) / 1_000_000,
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, stats);
        return new RatePass.Result(rated, inWindow, findings);
    }

    /**
     * expected.parquet as the embedded pass writes it: the same rows in the same (customer_id, meter, event_time, event_id)
     * order through the same DuckDB COPY options, so the file (and the manifest's SHA-256 of it) is the same.
     */
    /** The glob of Spark's output parts as a DuckDB literal, or null when it wrote none (no rows). */
    private static String parts(Path out) throws IOException {
        if (!Files.isDirectory(out)) return null;
        try (Stream<Path> files = Files.list(out)) {
            if (files.noneMatch(p -> p.getFileName().toString().endsWith(".parquet"))) return null;
        }
        return Duck.literal(out.resolve("*.parquet").toString());
    }

    private static void writeExpected(Duck duck, DuckDBConnection conn, String parts, Path expectedParquet) throws SQLException, IOException {
        String scratch = "__attest_spark_" + Long.toHexString(System.nanoTime());
        duck.execute("ATTACH ':memory:' AS " + scratch);
        try {
            DuckTableSink.createTable(conn, scratch + ".expected", RatePass.EXPECTED_FIELDS);
            if (parts != null)
                duck.execute("INSERT INTO " + scratch + ".expected SELECT " + Layout.columns("e_", RatePass.EXPECTED_FIELDS) + " FROM read_parquet("
                        + parts + ") WHERE kind = 'E' ORDER BY e_customer_id, e_meter, e_event_time, e_event_id");
            // The rows in order (a table scan keeps insertion order) through the embedded pass's own writer.
            RatePass.writeExpected(conn, "SELECT * FROM " + scratch + ".expected", expectedParquet);
            duck.execute("DROP VIEW IF EXISTS expected");
            duck.execute("DROP TABLE IF EXISTS expected");
            duck.execute("CREATE VIEW expected AS SELECT * FROM read_parquet(" + Duck.literal(expectedParquet.toAbsolutePath().toString()) + ")");
        } finally {
            duck.execute("DETACH " + scratch);
        }
    }

    /** The states of {@code in} that no event of the window moved, still open at its end (as RatePass carries them). */
    private static void carryUntouched(Duck duck, AuditWindow window, String in, String out) {
        if (in == null || out == null || window.to() == null) return;
        duck.execute("INSERT INTO " + out + " SELECT i.* FROM " + in + " i WHERE i.period_start < " + AuditWindow.literal(window.to())
                + " AND i.period_end > " + AuditWindow.literal(window.to()) + " AND NOT EXISTS (SELECT 1 FROM " + out
                + " o WHERE o.customer_id = i.customer_id AND o.meter = i.meter AND o.period_start = i.period_start)");
    }

    private Stats rateOnSpark(RateStep step, RatingSpec spec, Path dir, Path events, Path decisions, Path statesIn, Path out)
            throws IOException {
        AuditWindow window = step.window();
        Stats stats;
        String scratch = System.getProperty(SCRATCH);
        if (scratch == null || scratch.isBlank()) {
            stats = runSpark(spec, window, step.registry(), uri(events), uri(decisions), step.statesIn() != null ? uri(statesIn) : null, uri(out));
        } else {
            // Executors on a cluster cannot read the driver's disk: the staged inputs go to a shared filesystem and back.
            org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(scratch, step.workDir().getFileName().toString());
            org.apache.hadoop.fs.FileSystem fs = remote.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.delete(remote, true);
            fs.mkdirs(remote);
            for (Path local : step.statesIn() != null ? List.of(events, decisions, statesIn) : List.of(events, decisions))
                fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(remote, local.getFileName().toString()));
            org.apache.hadoop.fs.Path remoteOut = new org.apache.hadoop.fs.Path(remote, "out");
            stats = runSpark(spec, window, step.registry(), new org.apache.hadoop.fs.Path(remote, "events.parquet").toString(),
                    new org.apache.hadoop.fs.Path(remote, "decisions.parquet").toString(),
                    step.statesIn() != null ? new org.apache.hadoop.fs.Path(remote, "states_in.parquet").toString() : null, remoteOut.toString());
            fs.copyToLocalFile(false, remoteOut, new org.apache.hadoop.fs.Path(dir.toUri()), true);
            fs.delete(remote, true);
        }
        return stats;
    }

    private static String uri(Path p) {
        return p.toUri().toString();
    }

    private Stats runSpark(RatingSpec spec, AuditWindow window, PolicyRegistry registry, String eventsFile, String decisionsFile,
                           String statesFile, String out) {
        spark.udf().register("attest_period_start", (UDF2<String, Instant, Instant>) (c, t) ->
                spec.built().cycles().of(c).periodOf(t).start(), DataTypes.TimestampType);
        Dataset<Row> events = spark.read().parquet(eventsFile)
                .withColumn("period_start", callUDF("attest_period_start", col("customer_id"), col("event_time")));
        long p0 = System.nanoTime();
        int tasks = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
        long total = events.count(); // Parquet metadata: no scan

        // Skew, phase zero: the periods that hold more than a task's share of events (one partial aggregation).
        long share = Math.max(Long.getLong(SKEW_MIN_EVENTS, 50_000L), (total + tasks - 1) / Math.max(1, tasks));
        List<Row> heavy = total <= share ? List.of() // no period can hold more than all events: skip the pass
                : events.groupBy("customer_id", "meter", "period_start")
                        .agg(count(lit(1)).as("n"), sum("quantity").as("q")).filter(col("n").gt(share)).collectAsList();
        Map<String, long[]> cuts = new HashMap<>();
        long largest = 0;
        int split = 0, chunks = 0;
        for (Row h : heavy) {
            String c = h.getString(0), m = h.getString(1);
            Instant start = (Instant) h.get(2);
            long n = h.getLong(3);
            largest = Math.max(largest, n);
            BillingPeriod period = spec.built().cycles().of(c).periodOf(start);
            String why = unsplittable(registry, c, m, period, h.getDecimal(4), window, statesFile != null);
            if (why != null) {
                log.info("heavy period {}/{}/{} ({} events) kept in one task: {}", c, m, period, n, why);
                continue;
            }
            // Chunks of half a task's share: hashing (key, chunk) to tasks puts two chunks in one task now and then, and
            // smaller chunks even that out (measured: whole-share chunks left one task with 2 of 3 chunks).
            long chunkSize = Math.max(1, share / 2);
            int k = (int) Math.min(1024, (n + chunkSize - 1) / chunkSize);
            double[] probs = new double[k - 1];
            for (int i = 1; i < k; i++) probs[i - 1] = (double) i / k;
            // Cut points on event_time (micros): equal times stay in one chunk, so (event_time, event_id) order holds across chunks.
            double[] q = events.filter(col("customer_id").equalTo(c).and(col("meter").equalTo(m)).and(col("period_start").equalTo(lit(start))))
                    .selectExpr("unix_micros(event_time) AS t").stat().approxQuantile("t", probs, 0.0005);
            long[] cut = Arrays.stream(q).mapToLong(Math::round).distinct().sorted().toArray();
            cuts.put(key(c, m, start), cut);
            split++;
            chunks += cut.length + 1;
        }
        long p1 = System.nanoTime();
        Map<String, long[]> cutMap = new HashMap<>(cuts);
        spark.udf().register("attest_chunk", (UDF4<String, String, Instant, Instant, Integer>) (c, m, ps, t) -> {
            long[] cut = cutMap.get(key(c, m, ps));
            if (cut == null) return 0;
            long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
            int i = 0;
            while (i < cut.length && cut[i] <= micros) i++;
            return i + 1; // chunks of a split period count from 1; 0 is an unsplit period
        }, DataTypes.IntegerType);
        Dataset<Row> chunked = cutMap.isEmpty() ? events.withColumn("chunk", lit(0))
                : events.withColumn("chunk", callUDF("attest_chunk", col("customer_id"), col("meter"), col("period_start"), col("event_time")));

        // Phase one: each chunk's quantity; the driver turns them into each chunk's offset (the quantity of the chunks before it).
        StructType offsetSchema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("o_customer_id", DataTypes.StringType, false),
                DataTypes.createStructField("o_meter", DataTypes.StringType, false),
                DataTypes.createStructField("o_period_start", DataTypes.TimestampType, false),
                DataTypes.createStructField("o_chunk", DataTypes.IntegerType, false),
                DataTypes.createStructField("chunk_offset", DataTypes.createDecimalType(38, 9), false)));
        List<Row> offsets = new ArrayList<>();
        if (!cutMap.isEmpty()) {
            Map<String, TreeMap<Integer, BigDecimal>> sums = new HashMap<>();
            Map<String, Row> keys = new HashMap<>();
            for (Row r : chunked.filter(col("chunk").gt(0)).groupBy("customer_id", "meter", "period_start", "chunk")
                    .agg(sum("quantity").as("q")).collectAsList()) {
                String k = key(r.getString(0), r.getString(1), (Instant) r.get(2));
                sums.computeIfAbsent(k, x -> new TreeMap<>()).put(r.getInt(3), r.getDecimal(4));
                keys.put(k, r);
            }
            sums.forEach((k, byChunk) -> {
                Row r = keys.get(k);
                BigDecimal before = BigDecimal.ZERO.setScale(9);
                for (Map.Entry<Integer, BigDecimal> e : byChunk.entrySet()) {
                    offsets.add(RowFactory.create(r.getString(0), r.getString(1), r.get(2), e.getKey(), before));
                    before = before.add(e.getValue());
                }
            });
        }
        Dataset<Row> offsetDf = spark.createDataFrame(offsets, offsetSchema);
        long p2 = System.nanoTime();

        // Phase two: events with their decisions, start states and offsets; one fold per (customer, meter, period, chunk).
        Dataset<Row> decisions = spark.read().parquet(decisionsFile);
        Dataset<Row> rows = chunked.join(decisions, col("event_id").equalTo(col("d_event_id")), "left_outer")
                .join(broadcast(offsetDf), col("customer_id").equalTo(col("o_customer_id")).and(col("meter").equalTo(col("o_meter")))
                        .and(col("period_start").equalTo(col("o_period_start"))).and(col("chunk").equalTo(col("o_chunk"))), "left_outer");
        if (statesFile != null) {
            Dataset<Row> states = spark.read().parquet(statesFile);
            rows = rows.join(states, col("customer_id").equalTo(col("st_customer_id")).and(col("meter").equalTo(col("st_meter")))
                    .and(col("period_start").equalTo(col("st_period_start"))), "left_outer");
        } else {
            rows = rows.withColumn("st_known_before", lit(null).cast(DataTypes.createDecimalType(38, 9)))
                    .withColumn("st_known_fee_due", lit(null).cast(DataTypes.BooleanType))
                    .withColumn("st_corrected_before", lit(null).cast(DataTypes.createDecimalType(38, 9)))
                    .withColumn("st_corrected_fee_due", lit(null).cast(DataTypes.BooleanType));
        }
        rows.selectExpr(PartitionFold.COLUMNS)
                .repartition(tasks, col("customer_id"), col("meter"), col("period_start"), col("chunk"))
                .sortWithinPartitions("customer_id", "meter", "period_start", "chunk", "event_time", "event_id", "decided_at", "decision_id")
                .mapPartitions(new PartitionFold(spec, window.to()), Encoders.row(Layout.SCHEMA))
                // One unpartitioned write: partitionBy(kind) would sort every task's output by kind before writing it.
                .write().mode(SaveMode.Overwrite).parquet(out);
        if (TRACE) System.err.printf("TRACE spark phases: heavy keys %d ms, chunk sums %d ms, fold and write %d ms%n", (p1 - p0) / 1_000_000,
                (p2 - p1) / 1_000_000, (System.nanoTime() - p2) / 1_000_000);
        return new Stats(tasks, heavy.size(), split, chunks, total, largest);
    }

    /**
     * Why a heavy period cannot be split, or null when it can: the fold's state at a chunk's start must be the earlier
     * chunks' quantity alone. Volume prices need the whole period's total, and an entitlement that can deny an event makes
     * the earlier allowed quantity depend on the fold itself. A carried-state audit and a period open at the window's end
     * (whose state the next window needs) are kept whole too.
     */
    static String unsplittable(PolicyRegistry registry, String customer, String meter, BillingPeriod period, BigDecimal quantity,
                               AuditWindow window, boolean carried) {
        if (carried) return "the audit starts from carried states";
        if (window.to() != null && period.start().isBefore(window.to()) && period.end().isAfter(window.to()))
            return "the period is open at the window's end";
        for (Policy p : registry.policies()) {
            if (!meter.equals(p.meter()) || p.customerId() != null && !p.customerId().equals(customer)) continue;
            for (PolicyVersion v : p.versions()) {
                boolean overlaps = v.validFrom().isBefore(period.end()) && (v.validTo() == null || v.validTo().isAfter(period.start()));
                if (!overlaps) continue;
                if (p.kind() == PolicyKind.PRICE && v.rule() instanceof Rule.Volume) return "volume pricing needs the period's total";
                if (p.kind() == PolicyKind.ENTITLEMENT && v.rule() instanceof Rule.Entitlement e && e.limit().compareTo(quantity) < 0)
                    return "entitlement " + v.ref() + " can bind";
            }
        }
        return null;
    }

    static String key(String customer, String meter, Instant periodStart) {
        return customer + '\u0000' + meter + '\u0000' + periodStart;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
