package dev.attest.engine.audit;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Reconciler;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.VersionRef;
import dev.attest.core.rating.BillingPeriod;
import dev.attest.core.rating.Expectation;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import dev.attest.io.arrow.ArrowColumns;
import dev.attest.io.arrow.BatchTarget;
import dev.attest.io.arrow.OrderedParquet;
import dev.attest.io.arrow.DuckTableSink;
import dev.attest.io.duck.Duck;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/**
 * The re-rating pass. DuckDB joins each event with its decisions and sorts into billing partitions
 * (customer, meter, event_time, event_id); the rows cross into Java as Arrow batches; core rates each
 * (customer, meter, billing period) partition in both knowledge views and checks the event's own decisions against
 * the as-known expectation. Expectations and findings go back into DuckDB as Arrow batches.
 * Java holds one input batch, one partition and one output batch at a time, per slice: the rating scope is
 * split into disjoint, contiguous customer_id ranges of about equal event counts, rated concurrently
 * ({@link #PARALLELISM_PROPERTY}).
 *
 * <p>The expectations table comes out in (customer_id, meter, event_time, event_id) order whatever the number of
 * slices: each slice rates its range in that order, and the slices append in range order (slice 0 directly, each
 * later one from a temporary table once its predecessor is in). Writers copy it as it is, without sorting 30
 * columns again.
 */
public final class RatePass {
    private static final boolean TRACE = Boolean.getBoolean("attest.trace");

    /** Receives progress: rows done out of total. */
    public interface Progress {
        void update(long done, long total);
    }

    public record Result(long eventsRated, long eventsInWindow, long findings) {}

    public static final List<Field> EXPECTED_FIELDS = List.of(
            DuckTableSink.utf8("event_id"), DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("meter"),
            DuckTableSink.timestamp("event_time"), DuckTableSink.utf8("billing_period"), DuckTableSink.decimal("quantity"),
            DuckTableSink.int32("decisions"), DuckTableSink.timestamp("known_at"),
            DuckTableSink.utf8("expected_outcome"), DuckTableSink.decimal("expected_amount"), DuckTableSink.utf8("currency"),
            DuckTableSink.utf8("status"), DuckTableSink.utf8("price_policy_id"), DuckTableSink.int32("price_version"),
            DuckTableSink.utf8("discount_policy_id"), DuckTableSink.int32("discount_version"),
            DuckTableSink.utf8("entitlement_policy_id"), DuckTableSink.int32("entitlement_version"),
            DuckTableSink.decimal("before_quantity"), DuckTableSink.bool("provisional"),
            DuckTableSink.utf8("corrected_outcome"), DuckTableSink.decimal("corrected_amount"),
            DuckTableSink.utf8("corrected_status"), DuckTableSink.utf8("corrected_price_policy_id"),
            DuckTableSink.int32("corrected_price_version"),
            // The rest of the as-corrected view, which a backfill writes into corrected decisions.
            DuckTableSink.utf8("corrected_currency"), DuckTableSink.utf8("corrected_discount_policy_id"),
            DuckTableSink.int32("corrected_discount_version"), DuckTableSink.utf8("corrected_entitlement_policy_id"),
            DuckTableSink.int32("corrected_entitlement_version"));

    /**
     * The fold's state per (customer, meter, billing period) at an instant (contracts: the period's position after its
     * earlier events), as a table: read as the start of the periods a carried-state audit rates, written at its window's
     * end for the next one.
     */
    public static final List<Field> STATE_FIELDS = List.of(
            DuckTableSink.utf8("customer_id"), DuckTableSink.utf8("meter"), DuckTableSink.timestamp("period_start"),
            DuckTableSink.timestamp("period_end"), DuckTableSink.utf8("billing_period"), DuckTableSink.decimal("known_before"),
            DuckTableSink.bool("known_volume_fee_due"), DuckTableSink.decimal("corrected_before"),
            DuckTableSink.bool("corrected_volume_fee_due"));

    /** System property: how many customer_id ranges are rated concurrently (default: cores, at most 2). */
    public static final String PARALLELISM_PROPERTY = "attest.rate.parallelism";

    private final DuckDBConnection source;
    private final BufferAllocator allocator;
    private final PolicyRegistry registry;
    private final Reconciler reconciler;
    private final AuditWindow window;
    private final int batchRows;
    private final String decisionsTable;
    private final int parallelism;
    private String stateIn;   // table of the states the window starts from (carried window), or null
    private String stateOut;  // table to write the states at the window's end into, or null

    /**
     * Starts each partition from the state in table {@code in} (null: from the period's start; the window must then not
     * be carried) and writes every period's state at the window's end into table {@code out} (null: none), the states
     * of {@code in} that tonight's events did not move included.
     */
    public RatePass withStates(String in, String out) {
        if (in != null && !window.carried()) throw new IllegalArgumentException("starting from carried states needs a carried window");
        this.stateIn = in;
        this.stateOut = out;
        return this;
    }

    /**
     * The start states of one slice, read in partition order beside its events: each slice holds one state at a time,
     * never all of them (a state per open customer, meter and period can run to millions).
     */
    private final class StateCursor implements AutoCloseable {
        private final Statement st;
        private final java.sql.ResultSet rs;
        private boolean more;

        StateCursor(DuckDBConnection conn, Range range) throws SQLException {
            st = conn.createStatement();
            // The same order as the slice's partitions: DuckDB's text order is by code point, like compareEventIds.
            rs = st.executeQuery("SELECT e.customer_id, e.meter, epoch_us(e.period_start), e.known_before, e.known_volume_fee_due, "
                    + "e.corrected_before, e.corrected_volume_fee_due FROM " + stateIn + " e WHERE TRUE" + range.on("e.customer_id")
                    + " ORDER BY e.customer_id, e.meter, e.period_start");
            more = rs.next();
        }

        /** The state of (customer, meter, period start), or the period's start when it has none; keys come ascending. */
        PeriodState at(String customer, String meter, long startMicros) throws SQLException {
            while (more) {
                int c = PeriodRater.compareEventIds(rs.getString(1), customer);
                if (c == 0) c = PeriodRater.compareEventIds(rs.getString(2), meter);
                if (c == 0) c = Long.compare(rs.getLong(3), startMicros);
                if (c > 0) break;
                if (c == 0) {
                    PeriodState found = new PeriodState(rs.getBigDecimal(4), rs.getBoolean(5), rs.getBigDecimal(6), rs.getBoolean(7));
                    more = rs.next();
                    return found;
                }
                more = rs.next();
            }
            return PeriodState.START;
        }

        @Override
        public void close() throws SQLException {
            rs.close();
            st.close();
        }
    }

    /** The states of {@link #stateIn} that no event of the window moved, still open at its end, carried over unchanged. */
    private void carryUntouched() throws SQLException {
        if (stateIn == null || stateOut == null || window.to() == null) return;
        execute(source, "INSERT INTO " + stateOut + " SELECT i.* FROM " + stateIn + " i WHERE i.period_start < " + AuditWindow.literal(window.to())
                + " AND i.period_end > " + AuditWindow.literal(window.to()) + " AND NOT EXISTS (SELECT 1 FROM " + stateOut
                + " o WHERE o.customer_id = i.customer_id AND o.meter = i.meter AND o.period_start = i.period_start)");
    }

    public RatePass(DuckDBConnection connection, BufferAllocator allocator, PolicyRegistry registry, Reconciler reconciler,
                    AuditWindow window, int batchRows) throws SQLException {
        this(connection, allocator, registry, reconciler, window, batchRows, "decisions");
    }

    /** @param decisionsTable the staged decisions to check (a backfill re-checks its corrected books) */
    public RatePass(DuckDBConnection connection, BufferAllocator allocator, PolicyRegistry registry, Reconciler reconciler,
                    AuditWindow window, int batchRows, String decisionsTable) throws SQLException {
        this(connection, allocator, registry, reconciler, window, batchRows, decisionsTable, defaultParallelism());
    }

    /** @param parallelism how many disjoint customer_id ranges to rate concurrently (1 = one thread, no split) */
    public RatePass(DuckDBConnection connection, BufferAllocator allocator, PolicyRegistry registry, Reconciler reconciler,
                    AuditWindow window, int batchRows, String decisionsTable, int parallelism) throws SQLException {
        if (parallelism < 1) throw new IllegalArgumentException("rating parallelism must be >= 1, got " + parallelism);
        this.decisionsTable = decisionsTable;
        this.source = connection;
        this.allocator = allocator;
        this.registry = registry;
        this.reconciler = reconciler;
        this.window = window;
        this.batchRows = batchRows;
        this.parallelism = parallelism;
    }

    /**
     * One slice per core, at most 2 unless {@link #PARALLELISM_PROPERTY} asks for more: each slice's fold is one
     * CPU-bound thread, and DuckDB's scans and pushes share the same cores; 2 is the degree measured (README).
     */
    public static int defaultParallelism() {
        String p = System.getProperty(PARALLELISM_PROPERTY);
        if (p == null || p.isBlank()) return Math.min(2, Runtime.getRuntime().availableProcessors());
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below, with the name of the property
        }
        throw new IllegalArgumentException("-D" + PARALLELISM_PROPERTY + " must be a whole number >= 1, got '" + p + "'");
    }

    /**
     * The rows of one slice: the events of its customer_id range, each beside its decisions. A billing partition
     * (customer, meter, period) never spans two slices, and each slice is sorted into partitions on its own.
     *
     * <p>With the decisions split ({@link #splitDecisions}), a range reads only its own decisions: those of its customers
     * whose customer_id is their event's, and those of {@link #MOVED_TABLE} whose event is one of its customers'. Joined on
     * event_id and that customer, each decision meets its event in exactly one range, as it does in the join of every
     * decision, and the rows and their order are the same.
     */
    String query(Range range) {
        String decisions = movedTable == null ? decisionsTable + " d ON d.event_id = e.event_id"
                : "(" + rangeDecisions(range) + ") d ON d.event_id = e.event_id AND d." + Duck.ident(EVENT_CUSTOMER) + " = e.customer_id";
        return "SELECT " + ArrowColumns.selectList(In.class, c -> c.expr(window)) + " "
                + "FROM events_unique e" + window.boundsJoin("e.customer_id") + " LEFT JOIN " + decisions + " "
                + "WHERE " + window.ratingScope("e.event_time") + range.on("e.customer_id") + " "
                + "ORDER BY e.customer_id, e.meter, e.event_time, e.event_id, d.decided_at, d.decision_id";
    }

    /** The decisions whose event may be in {@code range}, each with the customer_id of its event in {@link #EVENT_CUSTOMER}. */
    private String rangeDecisions(Range range) {
        return "SELECT " + decisionColumns("d") + ", d.customer_id AS " + Duck.ident(EVENT_CUSTOMER) + " FROM " + decisionsTable
                + " d WHERE TRUE" + range.on("d.customer_id")
                + " UNION ALL SELECT " + decisionColumns("m") + ", m." + Duck.ident(EVENT_CUSTOMER) + " FROM " + movedTable
                + " m WHERE TRUE" + range.on("m." + Duck.ident(EVENT_CUSTOMER));
    }

    /** Table of the decisions whose customer_id is not their event's, with their event's (few: a mis-keyed decision). */
    static final String MOVED_TABLE = "__attest_rate_moved_decisions";

    /** The column of a decision's event's customer_id, by which the ranges split the decisions. */
    static final String EVENT_CUSTOMER = "event_customer_id";

    private String movedTable; // non-null: the decisions are split by range (several ranges)

    /** The decisions' columns the rating reads (event_id and those of {@link In} from "d."), qualified by {@code alias}. */
    private static String decisionColumns(String alias) {
        StringBuilder cols = new StringBuilder(alias).append(".event_id");
        for (In c : In.values())
            if (c.sql != null && c.sql.startsWith("d.")) cols.append(", ").append(alias).append('.').append(Duck.ident(c.sql.substring(2)));
        return cols.toString();
    }

    /**
     * Splits the decisions by their event's range once, so that each range reads only its own: nearly every decision
     * carries its event's customer_id and is found by its own; the others (a decision keyed to another customer than its
     * event's) go into {@link #MOVED_TABLE} beside their event's customer_id. One join of the decisions with the events
     * on their keys alone, in passes by a hash of event_id when it would outgrow DuckDB's memory (as lineage's), instead
     * of every range joining every decision: at 100M events in 24 ranges, 24 scans and probes of 100M decisions.
     */
    private void splitDecisions() throws SQLException {
        long rows;
        try (Statement st = source.createStatement();
             var rs = st.executeQuery("SELECT greatest((SELECT count(*) FROM " + decisionsTable + "), (SELECT count(*) FROM events))")) {
            rs.next();
            rows = rs.getLong(1);
        }
        int passes = LineageGaps.passes(rows);
        // The events' keys (on the right) are the side to hash, not the decisions with every column (see LineageGaps#build).
        Duck duck = Duck.wrap(source);
        duck.withoutOptimizer(LineageGaps.BUILD_SIDE_RULE, () -> {
            for (int k = 0; k < passes; k++)
                duck.execute((k == 0 ? "CREATE OR REPLACE TABLE " + MOVED_TABLE + " AS " : "INSERT INTO " + MOVED_TABLE + " ")
                        + "SELECT " + decisionColumns("d") + ", e.customer_id AS " + Duck.ident(EVENT_CUSTOMER) + " FROM " + decisionsTable
                        + " d JOIN (SELECT x.event_id, x.customer_id, x.event_time FROM events_unique x) e ON e.event_id = d.event_id"
                        + window.boundsJoin("e.customer_id") + " WHERE d.customer_id IS DISTINCT FROM e.customer_id AND "
                        + window.ratingScope("e.event_time") + LineageGaps.part("d.event_id", k, passes)
                        + LineageGaps.part("e.event_id", k, passes));
        });
        movedTable = MOVED_TABLE;
    }

    /** The columns of the rating query: each event beside one of its decisions (the decision's columns null without one). */
    enum In implements ArrowColumns.Column {
        EVENT_ID("e.event_id"), CUSTOMER_ID("e.customer_id"), METER("e.meter"), QUANTITY("e.quantity"), EVENT_TIME("e.event_time"),
        VALUE("e.value"), DIMENSIONS("e.dimensions"), IN_WINDOW(null),
        DECISION_ID("d.decision_id"), OUTCOME("d.outcome"), AMOUNT("d.amount"), CURRENCY("d.currency"),
        PRICE_POLICY_ID("d.price_policy_id"), PRICE_VERSION("d.price_version"), DISCOUNT_POLICY_ID("d.discount_policy_id"),
        DISCOUNT_VERSION("d.discount_version"), ENTITLEMENT_POLICY_ID("d.entitlement_policy_id"),
        ENTITLEMENT_VERSION("d.entitlement_version"), DECIDED_AT("d.decided_at"), INVOICE_ID("d.invoice_id"),
        D_CUSTOMER_ID("d.customer_id"), D_METER("d.meter");

        private final String sql;

        In(String sql) {
            this.sql = sql;
        }

        String expr(AuditWindow window) {
            return this == IN_WINDOW ? window.contains("e.event_time") : sql;
        }
    }

    /**
     * Rates every slice, each on its own thread with its own DuckDB connections, Arrow child allocator and rater,
     * its sinks appending to the shared {@code findingsTable} (DuckDB appends from several connections never
     * conflict; every reader of findings orders totally) and, in range order, to {@code expectedTable}.
     */
    public Result run(String expectedTable, String findingsTable, Progress progress) throws SQLException, java.io.IOException {
        return run(expectedTable, null, findingsTable, progress);
    }

    /**
     * As {@link #run(String, String, Progress)}, with the expectations written once, as the Parquet file
     * {@code expectedParquet} (zstd), and {@code expectedTable} made a view over it. The slices stream their rows into that
     * one file as they rate them, in range order (an {@link OrderedParquet}: a later range's rows wait in an Arrow file
     * until the ranges before it are in). No table ever holds them: at 10M events an in-memory table of them held about
     * 3 GB, and at 100M it spilled tens of gigabytes to the workspace. Null {@code expectedParquet}: a table.
     */
    public Result run(String expectedTable, Path expectedParquet, String findingsTable, Progress progress)
            throws SQLException, java.io.IOException {
        if (expectedParquet == null) return rateInto(expectedTable, findingsTable, progress);
        this.parquetOut = expectedParquet;
        deleteLeftovers(); // an earlier attempt's
        try {
            Result r = rateInto(expectedTable, findingsTable, progress);
            long t0 = System.nanoTime();
            ordered.finish();
            if (TRACE) System.err.printf("TRACE rate: expectations file completed %d ms after the last range%n", (System.nanoTime() - t0) / 1_000_000);
            Duck.wrap(source).dropRelation(expectedTable);
            execute(source, "CREATE VIEW " + expectedTable + " AS SELECT * FROM read_parquet("
                    + Duck.literal(expectedParquet.toAbsolutePath().toString()) + ")");
            return r;
        } finally {
            try {
                if (ordered != null) ordered.close(); // without finish: abandoned, no partial file left
            } finally {
                ordered = null;
                deleteLeftovers();
            }
        }
    }

    /** Removes the files a failed earlier attempt may have left beside {@link #parquetOut} or in the spill folder: waiting ranges, a partial file. */
    private void deleteLeftovers() throws java.io.IOException {
        String name = parquetOut.getFileName().toString();
        for (Path dir : java.util.stream.Stream.of(parquetOut.toAbsolutePath().getParent(), spillDir()).distinct().toList()) {
            try (var files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().startsWith(name + ".range-")
                        || f.getFileName().toString().startsWith(name + ".slice-")).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private Path parquetOut; // non-null: the slices stream into this file, through ordered
    private Path spillDir;   // where waiting ranges are kept; null: beside parquetOut

    /** Keeps the waiting ranges of the expectations file in {@code dir} (the run's work folder), not beside the file. */
    public RatePass spillingInto(Path dir) {
        this.spillDir = dir;
        return this;
    }

    private Path spillDir() {
        return spillDir != null ? spillDir : parquetOut.toAbsolutePath().getParent();
    }
    private OrderedParquet ordered;

    /**
     * Writes {@code target} (expected.parquet) from {@code rows}, a query of the expectations' columns in file order, through
     * the same {@link OrderedParquet} the embedded pass writes with: the bytes depend on the rows alone (the Spark engine's
     * file equals the embedded one's byte for byte, and the run's evidence compares bytes).
     */
    public static void writeExpected(java.sql.Connection conn, String rows, Path target) throws SQLException, java.io.IOException {
        DuckDBConnection duck = conn.unwrap(DuckDBConnection.class);
        try (BufferAllocator alloc = new org.apache.arrow.memory.RootAllocator();
             OrderedParquet file = new OrderedParquet(duck, alloc, new org.apache.arrow.vector.types.pojo.Schema(EXPECTED_FIELDS), target,
                     EXPECTED_PARQUET_OPTIONS, 1, OrderedParquet.BATCH_ROWS);
             Statement st = duck.createStatement();
             DuckDBResultSet rs = (DuckDBResultSet) st.executeQuery(rows);
             ArrowReader reader = (ArrowReader) rs.arrowExportStream(alloc, OrderedParquet.BATCH_ROWS)) {
            BatchTarget only = file.range(0);
            while (reader.loadNextBatch()) only.push(new org.apache.arrow.vector.VectorUnloader(reader.getVectorSchemaRoot()).getRecordBatch());
            only.finish();
            file.finish();
        }
    }

    /**
     * The COPY options of expected.parquet, in the workspace and in the run folder alike. zstd level 1, not DuckDB's 3:
     * at 10M rows 2.4-4.2 s less CPU in the audit for a file 16% larger (276 MB against 239 MB).
     */
    public static final String EXPECTED_PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1";

    private static void execute(DuckDBConnection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private Result rateInto(String expectedTable, String findingsTable, Progress progress) throws SQLException, java.io.IOException {
        long cut0 = System.nanoTime();
        window.writeBounds(Duck.wrap(source)); // customers with a billing cycle of their own: their rating scope
        if (stateOut != null) DuckTableSink.createTable(source, stateOut, STATE_FIELDS);
        String scope = " FROM events_unique e" + window.boundsJoin("e.customer_id") + " WHERE " + window.ratingScope("e.event_time");
        // The ranges' cuts: event-count quantiles of customer_id.
        RangeCuts cut = RangeCuts.of(Duck.wrap(source), scope, this::ranges);
        long total = cut.events();
        ranges = cut.ranges();
        List<String> cuts = cut.cuts();
        long wall0 = System.nanoTime(), cpu0 = processCpuNanos();
        if (TRACE) System.err.printf("TRACE rate: %d events in scope, %d range(s) cut in %d ms%n", total, ranges, (wall0 - cut0) / 1_000_000);
        try {
            if (ranges > 1) {
                splitDecisions();
                if (TRACE) System.err.printf("TRACE rate: decisions split by range in %d ms, process cpu %d ms%n",
                        (System.nanoTime() - wall0) / 1_000_000, (processCpuNanos() - cpu0) / 1_000_000);
            }
            Result r = rateSlices(expectedTable, findingsTable, progress, total, cuts);
            long c0 = System.nanoTime();
            carryUntouched();
            if (TRACE) System.err.printf("TRACE rate: slices done at %d ms, untouched states carried in %d ms%n",
                    (c0 - slicesStart) / 1_000_000, (System.nanoTime() - c0) / 1_000_000);
            return r;
        } finally {
            if (movedTable != null) {
                movedTable = null;
                execute(source, "DROP TABLE IF EXISTS " + MOVED_TABLE);
            }
            if (TRACE) System.err.printf("TRACE rate: %d range(s) on %d thread(s), wall %d ms, process cpu %d ms%n", ranges, parallelism,
                    (System.nanoTime() - wall0) / 1_000_000, (processCpuNanos() - cpu0) / 1_000_000);
        }
    }

    private int ranges; // customer_id ranges of the last pass
    private long slicesStart; // System.nanoTime() when the slices started (trace)

    /** System property: events per customer_id range, instead of the size derived from DuckDB's memory limit. */
    public static final String RANGE_EVENTS_PROPERTY = "attest.rate.rangeEvents";

    /** Events per range of each rating thread per GiB of DuckDB memory: a range's sort of them fits in memory, unspilled. */
    static final long EVENTS_PER_GIB = 1_500_000;

    /**
     * How many customer_id ranges to rate: one per thread, or more when each thread's share would not sort in its part of
     * DuckDB's memory. Streaming into Parquet, the ranges run a few at a time (one per thread), each sorting only its own
     * rows, so a pass never spills its sorts to disk (at 100M events, one sort per thread spilled tens of gigabytes).
     * Writing into a table (a backfill's books), there is one range per thread.
     */
    private int ranges(long events) {
        if (parquetOut == null || parallelism == 1 && events == 0) return parallelism;
        long perRange = Long.getLong(RANGE_EVENTS_PROPERTY, Math.max(250_000, EVENTS_PER_GIB * Duck.memoryLimitBytes() / parallelism / (1L << 30)));
        if (perRange < 1) throw new IllegalArgumentException("-D" + RANGE_EVENTS_PROPERTY + " must be >= 1");
        long needed = (events + perRange - 1) / perRange;
        return (int) Math.max(parallelism, Math.min(1024, needed));
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private Result rateSlices(String expectedTable, String findingsTable, Progress progress, long total, List<String> cuts)
            throws SQLException, java.io.IOException {
        if (parquetOut == null) DuckTableSink.createTable(source, expectedTable, EXPECTED_FIELDS);
        else ordered = new OrderedParquet(source, allocator, new org.apache.arrow.vector.types.pojo.Schema(EXPECTED_FIELDS), parquetOut,
                EXPECTED_PARQUET_OPTIONS, ranges, OrderedParquet.BATCH_ROWS, spillDir());
        FindingSink.createTable(source, findingsTable);
        slicesStart = System.nanoTime();
        SharedProgress shared = new SharedProgress(progress, total, ranges);
        AtomicBoolean stop = new AtomicBoolean();
        if (ranges == 1) return new Slice(0, Range.ALL, expectedTable, findingsTable, shared, stop, null).call();
        // Slices streaming into the ordered file need no turn-taking: it keeps a later range's rows until their turn.
        List<Range> split = rangesOf(cuts);
        CountDownLatch[] appended = parquetOut != null ? null : new CountDownLatch[ranges];
        for (int k = 0; appended != null && k < ranges; k++) appended[k] = new CountDownLatch(1);

        ExecutorService pool = Executors.newFixedThreadPool(parallelism, new ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, "attest-rate-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
            }
        });
        long events = 0, inWindow = 0, findings = 0;
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (int k = 0; k < ranges; k++)
                futures.add(pool.submit(new Slice(k, split.get(k), expectedTable, findingsTable, shared, stop, appended)));
            Throwable failure = null;
            for (Future<Result> f : futures) {
                try {
                    Result r = f.get();
                    events += r.eventsRated();
                    inWindow += r.eventsInWindow();
                    findings += r.findings();
                } catch (ExecutionException e) {
                    // The cause is the first real failure, whichever slice had it: a slice that stopped because of it
                    // (possibly an earlier one in this loop) only adds noise.
                    Throwable cause = e.getCause();
                    if (failure == null || failure instanceof SliceStopped && !(cause instanceof SliceStopped)) failure = cause;
                    else if (!(cause instanceof SliceStopped)) failure.addSuppressed(cause);
                } catch (InterruptedException e) {
                    stop.set(true);
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while rating", e);
                }
            }
            if (failure instanceof SQLException e) throw e;
            if (failure instanceof java.io.IOException e) throw e;
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException("rating failed: " + failure.getMessage(), failure);
        } finally {
            pool.shutdown();
        }
        progress.update(events, total);
        return new Result(events, inWindow, findings);
    }

    /**
     * One customer_id range per slice, in ascending order, from the cuts between them (event-count quantiles of
     * customer_id, so the slices hold about as many events each; one customer is never split).
     */
    private List<Range> rangesOf(List<String> cuts) {
        List<Range> split = new ArrayList<>();
        for (int k = 0; k < ranges; k++) {
            // No events: every cut is NULL, and slice 0 takes the (empty) whole.
            String lo = k == 0 || k - 1 >= cuts.size() ? null : cuts.get(k - 1);
            String hi = k >= cuts.size() ? null : cuts.get(k);
            split.add(k > 0 && lo == null ? Range.NONE : new Range(lo, hi, false));
        }
        return split;
    }

    /** A customer_id range {@code [lo, hi)}, open at a null end, or (empty) no customer at all. */
    record Range(String lo, String hi, boolean empty) {
        static final Range ALL = new Range(null, null, false);
        static final Range NONE = new Range(null, null, true);

        /** SQL: " AND" {@code column} lies in the range (nothing for all customers). */
        String on(String column) {
            if (empty) return " AND false";
            StringBuilder c = new StringBuilder();
            if (lo != null) c.append(" AND ").append(column).append(" >= ").append(Duck.literal(lo));
            if (hi != null) c.append(" AND ").append(column).append(" < ").append(Duck.literal(hi));
            return c.toString();
        }
    }

    /** Progress of all slices together: the sum of their rows, reported from whichever slice moves. */
    private static final class SharedProgress {
        private final Progress progress;
        private final long total;
        private final long[] done;

        SharedProgress(Progress progress, long total, int slices) {
            this.progress = progress;
            this.total = total;
            this.done = new long[slices];
        }

        synchronized void update(int slice, long rows) {
            done[slice] = rows;
            long sum = 0;
            for (long d : done) sum += d;
            progress.update(sum, total);
        }
    }

    /** Thrown by a slice that stopped early because another slice failed. */
    private static final class SliceStopped extends RuntimeException {
        SliceStopped() {
            super("stopped: another rating slice failed", null, false, false);
        }
    }

    /** One customer_id range, rated start to end on one thread with resources of its own. */
    private final class Slice implements Callable<Result> {
        private static final String SLICE_TABLE = "__attest_slice_expected";
        private final int index;
        private final Range range;
        private final String expectedTable;
        private final String findingsTable;
        private final SharedProgress progress;
        private final AtomicBoolean stop;
        private final CountDownLatch[] appended; // null: the only slice

        Slice(int index, Range range, String expectedTable, String findingsTable, SharedProgress progress, AtomicBoolean stop,
              CountDownLatch[] appended) {
            this.index = index;
            this.range = range;
            this.expectedTable = expectedTable;
            this.findingsTable = findingsTable;
            this.progress = progress;
            this.stop = stop;
            this.appended = appended;
        }

        /** Slice 0 and a lone slice write straight into the table; the others keep their rows until their turn. */
        private boolean direct() {
            return appended == null || index == 0;
        }

        /** Appends this slice's rows after its predecessor's, so the table keeps range order. */
        private void appendInOrder(DuckDBConnection write) throws SQLException {
            if (appended == null) return;
            if (index > 0) {
                try {
                    while (!appended[index - 1].await(50, TimeUnit.MILLISECONDS)) if (stop.get()) throw new SliceStopped();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SliceStopped();
                }
                try (Statement st = write.createStatement()) {
                    st.execute("INSERT INTO " + expectedTable + " SELECT * FROM " + SLICE_TABLE);
                    st.execute("DROP TABLE " + SLICE_TABLE);
                }
            }
            appended[index].countDown();
        }

        @Override
        public Result call() throws SQLException, java.io.IOException {
            try {
                return rate();
            } catch (RuntimeException | SQLException | java.io.IOException | Error e) {
                stop.set(true);
                throw e;
            }
        }

        private Result rate() throws SQLException, java.io.IOException {
            long tc = System.nanoTime();
            // A child allocator per slice: closing it fails if the slice leaked a buffer.
            try (BufferAllocator alloc = allocator.newChildAllocator("rate-slice-" + index, 0, Long.MAX_VALUE);
                 DuckDBConnection read = source.duplicate();
                 DuckDBConnection write = source.duplicate()) {
                if (!direct()) DuckTableSink.createTable(write, SLICE_TABLE, EXPECTED_FIELDS, true);
                Result result = rate(alloc, read, write, tc);
                if (TRACE) System.err.printf("TRACE rate slice %d: sinks closed at %d ms%n", index, (System.nanoTime() - slicesStart) / 1_000_000);
                appendInOrder(write);
                return result;
            }
        }

        private Result rate(BufferAllocator alloc, DuckDBConnection read, DuckDBConnection write, long tc) throws SQLException, java.io.IOException {
            // Bulk rating records no computation text: findings explain themselves in one line, and the full
            // computation of one event is cheap to produce on demand. Measured: the text cost ~1 s per 1M events.
            PeriodRater rater = new PeriodRater(registry, window.cutoff(), false, window.cycles());
            try (Statement st = read.createStatement();
                 DuckDBResultSet rs = (DuckDBResultSet) st.executeQuery(query(range));
                 ArrowReader reader = (ArrowReader) rs.arrowExportStream(alloc, batchRows);
                 // Each push costs a statement; large output batches amortise it (measured: 1M rows in 64K batches
                 // import in 0.9 s, in one batch in 0.4 s).
                 DuckTableSink expected = parquetOut != null
                         ? new DuckTableSink(alloc, EXPECTED_FIELDS, OrderedParquet.BATCH_ROWS, ordered.range(index))
                         : new DuckTableSink(write, alloc, direct() ? expectedTable : SLICE_TABLE, EXPECTED_FIELDS,
                         Math.max(batchRows, 262_144), false);
                 FindingSink findings = new FindingSink(write, alloc, findingsTable, false);
                 DuckTableSink states = stateOut == null ? null : new DuckTableSink(write, alloc, stateOut, STATE_FIELDS, 16_384, false);
                 DuckDBConnection stateConn = stateIn == null ? null : source.duplicate();
                 StateCursor starts = stateIn == null ? null : new StateCursor(stateConn, range)) {
                try {
                    return fold(reader, expected, findings, states, starts, rater, tc);
                } catch (Throwable t) {
                    expected.abandon(); // a failed slice leaves no file of expectations behind
                    throw t;
                }
            }
        }

        private Result fold(ArrowReader reader, DuckTableSink expected, FindingSink findings, DuckTableSink states, StateCursor starts,
                            PeriodRater rater, long tc) throws SQLException, java.io.IOException {
            {
                Fold fold = new Fold(rater, expected, findings, states, starts);
                long tRead = 0, tFold = 0, t0 = System.nanoTime();
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long cpu0 = threads.getCurrentThreadCpuTime();
                while (true) {
                    if (stop.get()) throw new SliceStopped();
                    long a = System.nanoTime();
                    if (!reader.loadNextBatch()) break;
                    long b = System.nanoTime();
                    fold.accept(reader.getVectorSchemaRoot());
                    tFold += System.nanoTime() - b;
                    tRead += b - a;
                    progress.update(index, fold.events);
                }
                fold.flushPartition();
                if (TRACE) System.err.printf("TRACE rate slice %d: from %d ms to %d ms of the ranges, query+create %d ms, loop thread cpu %d ms%n",
                        index, (tc - slicesStart) / 1_000_000, (System.nanoTime() - slicesStart) / 1_000_000, (t0 - tc) / 1_000_000,
                        (threads.getCurrentThreadCpuTime() - cpu0) / 1_000_000);
                if (TRACE) System.err.printf("TRACE rate slice %d: read %d ms, fold+write %d ms (sink pushes %d ms), total %d ms%n",
                        index, tRead / 1_000_000, tFold / 1_000_000, expected.pushNanos() / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
                progress.update(index, fold.events);
                return new Result(fold.events, fold.inWindow, findings.count());
            }
        }
    }

    /** One pending event of the current partition with its decisions. */
    private record Pending(RatingEvent event, byte[] eventIdUtf8, boolean inWindow, List<DecisionRecord> decisions) {}

    private final class Fold {
        private final PeriodRater rater;
        private final DuckTableSink out;
        private final FindingSink findings;
        private final List<Pending> partition = new ArrayList<>();
        private final ArrowColumns.Cached customer = new ArrowColumns.Cached();
        private final ArrowColumns.Cached meter = new ArrowColumns.Cached();
        private final ArrowColumns.Cached dims = new ArrowColumns.Cached();
        private final ArrowColumns.Cached outcome = new ArrowColumns.Cached();
        private final ArrowColumns.Cached currency = new ArrowColumns.Cached();
        private final ArrowColumns.Cached pricePolicy = new ArrowColumns.Cached();
        private final ArrowColumns.Cached discountPolicy = new ArrowColumns.Cached();
        private final ArrowColumns.Cached entitlementPolicy = new ArrowColumns.Cached();
        private final ArrowColumns.Cached dCustomer = new ArrowColumns.Cached();
        private final ArrowColumns.Cached dMeter = new ArrowColumns.Cached();
        private final ArrowColumns.Cached invoice = new ArrowColumns.Cached(); // one invoice per customer and period
        private final Map<String, Map<String, String>> parsedDims = new HashMap<>();
        private final ArrowColumns.Named<In> in = new ArrowColumns.Named<>(In.class);
        private String partCustomer;
        private String partMeter;
        private BillingPeriod partPeriod;
        private String partPeriodText;
        private long partStart;
        private long partEnd;
        private byte[] lastEventId = new byte[0];
        private Pending current;
        long events;
        long inWindow;

        private final DuckTableSink states; // null: no states written
        private final StateCursor starts;   // null: every partition from its period's start

        Fold(PeriodRater rater, DuckTableSink out, FindingSink findings, DuckTableSink states, StateCursor starts) {
            this.rater = rater;
            this.out = out;
            this.findings = findings;
            this.states = states;
            this.starts = starts;
        }

        void accept(VectorSchemaRoot root) throws SQLException {
            ArrowColumns.Named<In> v = in.bind(root);
            VarCharVector eventIds = (VarCharVector) v.get(In.EVENT_ID);
            FieldVector decisionIds = v.get(In.DECISION_ID);
            int n = root.getRowCount();
            for (int i = 0; i < n; i++) {
                byte[] id = eventIds.get(i);
                boolean sameEvent = current != null && java.util.Arrays.equals(id, lastEventId);
                if (!sameEvent) {
                    String c = customer.get(v.get(In.CUSTOMER_ID), i);
                    String m = meter.get(v.get(In.METER), i);
                    long micros = ArrowColumns.micros(v.get(In.EVENT_TIME), i);
                    Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
                    if (!c.equals(partCustomer) || !m.equals(partMeter) || micros < partStart || micros >= partEnd) {
                        flushPartition();
                        partCustomer = c;
                        partMeter = m;
                        partPeriod = rater.periodOf(c, t);
                        partPeriodText = partPeriod.toString();
                        partStart = micros(partPeriod.start());
                        partEnd = micros(partPeriod.end());
                    }
                    lastEventId = id;
                    // The earliest decided_at: decisions come sorted by it, so the event's first row has it.
                    Instant knownAt = ArrowColumns.instant(v.get(In.DECIDED_AT), i);
                    RatingEvent ev = new RatingEvent(new String(id, java.nio.charset.StandardCharsets.UTF_8), c, m,
                            ArrowColumns.decimal(v.get(In.QUANTITY), i), t, knownAt, ArrowColumns.decimal(v.get(In.VALUE), i),
                            dimensions(v.get(In.DIMENSIONS), i));
                    current = new Pending(ev, id, ArrowColumns.bool(v.get(In.IN_WINDOW), i), new ArrayList<>(1));
                    partition.add(current);
                    events++;
                }
                if (!decisionIds.isNull(i)) current.decisions().add(decision(v, i, current.event().eventId()));
            }
        }

        /** A period may start at a DST gap's end or in a zone of a non-whole-hour offset: keep its sub-second part too. */
        private static long micros(Instant t) {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
        }

        private DecisionRecord decision(ArrowColumns.Named<In> v, int i, String eventId) {
            return new DecisionRecord(ArrowColumns.string(v.get(In.DECISION_ID), i), eventId, dCustomer.get(v.get(In.D_CUSTOMER_ID), i),
                    dMeter.get(v.get(In.D_METER), i), Outcome.parse(outcome.get(v.get(In.OUTCOME), i)),
                    ArrowColumns.decimal(v.get(In.AMOUNT), i), currency.get(v.get(In.CURRENCY), i),
                    pricePolicy.get(v.get(In.PRICE_POLICY_ID), i), ArrowColumns.integer(v.get(In.PRICE_VERSION), i),
                    discountPolicy.get(v.get(In.DISCOUNT_POLICY_ID), i), ArrowColumns.integer(v.get(In.DISCOUNT_VERSION), i),
                    entitlementPolicy.get(v.get(In.ENTITLEMENT_POLICY_ID), i), ArrowColumns.integer(v.get(In.ENTITLEMENT_VERSION), i),
                    ArrowColumns.instant(v.get(In.DECIDED_AT), i), invoice.get(v.get(In.INVOICE_ID), i));
        }

        private Map<String, String> dimensions(FieldVector v, int i) {
            String text = dims.get(v, i);
            if (text == null) return Map.of();
            return parsedDims.computeIfAbsent(text, CanonicalJson::parseFlatObject);
        }

        void flushPartition() throws SQLException {
            if (partition.isEmpty()) return;
            List<RatingEvent> evs = new ArrayList<>(partition.size());
            for (Pending p : partition) evs.add(p.event());
            PeriodState start = starts == null ? PeriodState.START : starts.at(partCustomer, partMeter, partStart);
            Instant end = window.to();
            boolean openAtEnd = end != null && partPeriod.start().isBefore(end) && partPeriod.end().isAfter(end);
            PeriodRater.Folded folded = rater.rate(evs, start, openAtEnd ? end : null);
            List<ExpectedEvent> rated = folded.expected();
            if (states != null && openAtEnd) writeState(folded.state());
            for (int j = 0; j < rated.size(); j++) {
                Pending p = partition.get(j);
                if (!p.inWindow()) continue;
                ExpectedEvent e = rated.get(j);
                inWindow++;
                try {
                    reconciler.check(e, p.decisions(), findings);
                    write(e, p);
                } catch (ArithmeticException tooLarge) { // an amount beyond DECIMAL(38,9), in a finding or the expectation
                    RatingEvent ev = e.event();
                    throw new dev.attest.io.input.InputException(dev.attest.io.input.InputException.Code.OUT_OF_RANGE, "event "
                            + ev.eventId() + " (customer " + ev.customerId() + ", meter " + ev.meter() + ", quantity "
                            + ev.quantity().stripTrailingZeros().toPlainString() + "): " + tooLarge.getMessage(), tooLarge);
                }
            }
            partition.clear();
            if (parsedDims.size() > 100_000) parsedDims.clear();
        }

        private void writeState(PeriodState s) throws SQLException {
            states.setString(0, partCustomer);
            states.setString(1, partMeter);
            states.setInstant(2, partPeriod.start());
            states.setInstant(3, partPeriod.end());
            states.setString(4, partPeriodText);
            states.setDecimal(5, s.knownBefore());
            states.setBool(6, s.knownVolumeFeeDue());
            states.setDecimal(7, s.correctedBefore());
            states.setBool(8, s.correctedVolumeFeeDue());
            states.endRow();
        }

        private void write(ExpectedEvent e, Pending p) throws SQLException {
            RatingEvent ev = e.event();
            Expectation k = e.asKnown();
            Expectation c = e.asCorrected();
            int decisions = p.decisions().size();
            out.setUtf8(0, p.eventIdUtf8()); // the bytes it arrived as: no second encoding
            out.setString(1, ev.customerId());
            out.setString(2, ev.meter());
            out.setInstant(3, ev.eventTime());
            out.setString(4, partPeriodText);
            out.setDecimal(5, ev.quantity());
            out.setInt(6, decisions);
            out.setInstant(7, ev.knownAt());
            out.setString(8, k.outcome() == null ? null : k.outcome().wire());
            out.setDecimal(9, k.amount());
            out.setString(10, k.currency());
            out.setString(11, k.status().name());
            setRef(12, k.price());
            setRef(14, k.discount());
            setRef(16, k.entitlement());
            out.setDecimal(18, k.before());
            out.setBool(19, k.provisional());
            out.setString(20, c.outcome() == null ? null : c.outcome().wire());
            out.setDecimal(21, c.amount());
            out.setString(22, c.status().name());
            setRef(23, c.price());
            out.setString(25, c.currency());
            setRef(26, c.discount());
            setRef(28, c.entitlement());
            out.endRow();
        }

        private void setRef(int col, VersionRef ref) {
            if (ref == null) {
                out.setNull(col);
                out.setNull(col + 1);
                return;
            }
            out.setString(col, ref.policyId());
            out.setInt(col + 1, ref.version());
        }
    }
}
