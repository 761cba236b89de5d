package dev.attest.io.arrow;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Builds Arrow batches in Java and appends them to a DuckDB table, one batch at a time through
 * {@code registerArrowStream} (push model: Java drives, DuckDB never calls back into a running fold).
 * Memory is bounded by one batch.
 */
public final class DuckTableSink implements AutoCloseable {
    public static final int DECIMAL_SCALE = 9;
    public static final int DECIMAL_PRECISION = 38;

    public static Field utf8(String name) { return Field.nullable(name, ArrowType.Utf8.INSTANCE); }
    public static Field int32(String name) { return Field.nullable(name, new ArrowType.Int(32, true)); }
    public static Field bool(String name) { return Field.nullable(name, ArrowType.Bool.INSTANCE); }
    public static Field decimal(String name) { return Field.nullable(name, new ArrowType.Decimal(38, DECIMAL_SCALE, 128)); }
    public static Field timestamp(String name) {
        return new Field(name, FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")), null);
    }

    private static final java.util.concurrent.atomic.AtomicLong STREAMS = new java.util.concurrent.atomic.AtomicLong();

    private final DuckDBConnection conn;
    private final BufferAllocator allocator;
    private final String table;
    private final String streamName;
    private final VectorSchemaRoot root;
    private final FieldVector[] vectors;
    private final String[] lastString;
    private final byte[][] lastBytes;
    private final int batchRows;
    private final BatchTarget parquet; // null: rows go to the table
    private int row;
    private long total;
    private long pushNanos;

    /** Creates (or replaces) {@code table} with the schema's columns. */
    public DuckTableSink(DuckDBConnection conn, BufferAllocator allocator, String table, List<Field> fields, int batchRows)
            throws SQLException {
        this(conn, allocator, table, fields, batchRows, true);
    }

    /**
     * @param create whether to create (or replace) {@code table}; without it, rows are appended to the table
     *               {@link #createTable} made, so that several sinks on their own connections can fill one table
     *               concurrently (DuckDB appends never conflict)
     */
    public DuckTableSink(DuckDBConnection conn, BufferAllocator allocator, String table, List<Field> fields, int batchRows,
                         boolean create) throws SQLException {
        this(conn, allocator, table, fields, batchRows, null, null);
        if (create) createTable(conn, table, fields);
    }

    /**
     * Rows written straight into the Parquet file {@code file} through a {@link ParquetStream} (options as COPY takes
     * them): {@link #close()} completes the file; {@link #abandon()} leaves no file behind.
     */
    public DuckTableSink(DuckDBConnection conn, BufferAllocator allocator, List<Field> fields, int batchRows, Path file, String options)
            throws SQLException {
        this(conn, allocator, null, fields, batchRows, file, options);
    }

    /**
     * Rows handed to {@code target} a batch at a time (e.g. one range of an {@link OrderedParquet}): {@link #close()} finishes
     * it; after {@link #abandon()}, only closes it.
     */
    public DuckTableSink(BufferAllocator allocator, List<Field> fields, int batchRows, BatchTarget target) throws SQLException {
        this(null, allocator, null, fields, batchRows, null, null, target);
    }

    private DuckTableSink(DuckDBConnection conn, BufferAllocator allocator, String table, List<Field> fields, int batchRows, Path file,
                          String options) throws SQLException {
        this(conn, allocator, table, fields, batchRows, file, options, null);
    }

    /** Into {@code table}, or into the Parquet file {@code file} when it is given, or into {@code target} (then table is null). */
    private DuckTableSink(DuckDBConnection conn, BufferAllocator allocator, String table, List<Field> fields, int batchRows, Path file,
                          String options, BatchTarget target) throws SQLException {
        this.conn = conn;
        this.allocator = allocator;
        this.table = table;
        // unique: sinks of one table may coexist
        this.streamName = table == null ? null : "__sink_" + table.replaceAll("[^A-Za-z0-9_]", "_") + "_" + STREAMS.incrementAndGet();
        this.batchRows = batchRows;
        this.root = VectorSchemaRoot.create(new Schema(fields), allocator);
        this.vectors = root.getFieldVectors().toArray(new FieldVector[0]);
        this.lastString = new String[vectors.length];
        this.lastBytes = new byte[vectors.length][];
        for (FieldVector v : vectors) v.setInitialCapacity(batchRows);
        root.allocateNew();
        try {
            this.parquet = target != null ? target : file == null ? null : new ParquetStream(conn, allocator, root.getSchema(), file, options);
        } catch (SQLException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private boolean abandoned;

    /** A Parquet sink's file is not wanted (its producer failed): close() then deletes it instead of completing it. */
    public void abandon() {
        abandoned = true;
    }

    /** Creates (or replaces) {@code table} with the columns of {@code fields}. */
    public static void createTable(DuckDBConnection conn, String table, List<Field> fields) throws SQLException {
        createTable(conn, table, fields, false);
    }

    /** As {@link #createTable(DuckDBConnection, String, List)}; a temporary table lives in this connection only, never on disk. */
    public static void createTable(DuckDBConnection conn, String table, List<Field> fields, boolean temporary) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE OR REPLACE " + (temporary ? "TEMP " : "") + "TABLE " + table + " (" + ddl(fields) + ")");
        }
    }

    private static String ddl(List<Field> fields) {
        StringBuilder sb = new StringBuilder();
        for (Field f : fields) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append('"').append(f.getName()).append("\" ");
            ArrowType t = f.getType();
            if (t instanceof ArrowType.Utf8) sb.append("VARCHAR");
            else if (t instanceof ArrowType.Int) sb.append("INTEGER");
            else if (t instanceof ArrowType.Bool) sb.append("BOOLEAN");
            else if (t instanceof ArrowType.Decimal) sb.append("DECIMAL(38,").append(DECIMAL_SCALE).append(')');
            else if (t instanceof ArrowType.Timestamp) sb.append("TIMESTAMPTZ");
            else throw new IllegalArgumentException("unsupported sink type " + t);
        }
        return sb.toString();
    }

    public int row() { return row; }

    public long total() { return total + row; }

    public void setString(int col, String value) {
        VarCharVector v = (VarCharVector) vectors[col];
        if (value == null) {
            setNullString(v);
            return;
        }
        // Low-cardinality columns repeat the same String instance row after row: encode it once.
        if (value != lastString[col]) {
            lastString[col] = value;
            lastBytes[col] = value.getBytes(StandardCharsets.UTF_8);
        }
        v.setSafe(row, lastBytes[col]);
    }

    /** A string given as its UTF-8 bytes (not copied; not to be changed afterwards). */
    public void setUtf8(int col, byte[] utf8) {
        if (utf8 == null) setNullString((VarCharVector) vectors[col]);
        else ((VarCharVector) vectors[col]).setSafe(row, utf8);
    }

    /**
     * A null string whose slot is closed at once (its end offset = its start): left open, Arrow closes each such hole at the
     * column's next value or at the batch's end, one zero-length memory copy a hole. With four expectation columns null in
     * nearly every row, those copies were an eighth of the rating threads' samples.
     */
    private void setNullString(VarCharVector v) {
        if (v.getLastSet() < row - 1) v.fillEmpties(row); // a row skipped in this column: its holes first
        v.setNull(row); // grows the validity and offset buffers as needed
        org.apache.arrow.memory.ArrowBuf offsets = v.getOffsetBuffer();
        long at = (long) row * VarCharVector.OFFSET_WIDTH;
        offsets.setInt(at + VarCharVector.OFFSET_WIDTH, offsets.getInt(at));
        v.setLastSet(row);
    }

    private static final long[] TEN_POWERS = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L,
            1_000_000_000L};

    /** A present int, without boxing. */
    public void setInt(int col, int value) {
        ((IntVector) vectors[col]).setSafe(row, value);
    }

    public void setNull(int col) {
        if (vectors[col] instanceof VarCharVector v) setNullString(v);
        else vectors[col].setNull(row);
    }

    public void setInt(int col, Integer value) {
        IntVector v = (IntVector) vectors[col];
        if (value == null) v.setNull(row); else v.setSafe(row, value);
    }

    public void setBool(int col, boolean value) {
        ((BitVector) vectors[col]).setSafe(row, value ? 1 : 0);
    }

    /** Exact: a value with more than 9 decimals is a programming error here, not something to round quietly. */
    public void setDecimal(int col, BigDecimal value) {
        DecimalVector v = (DecimalVector) vectors[col];
        if (value == null) {
            v.setNull(row);
            return;
        }
        // Fast path, exact: a value of scale <= 9 whose unscaled value at scale 9 fits in a long is written as that
        // long, with no intermediate BigDecimal (measured: setScale and movePointRight were a tenth of the fold).
        int scale = value.scale();
        if (scale >= 0 && scale <= DECIMAL_SCALE && value.precision() - scale + DECIMAL_SCALE <= 18) {
            // scaleByPowerOfTen keeps a small value's compact long: no BigInteger (unscaledValue() made one per cell:
            // BigInteger.getInt was 7% of the rating profile).
            v.setSafe(row, value.scaleByPowerOfTen(scale).longValueExact() * TEN_POWERS[DECIMAL_SCALE - scale]);
            return;
        }
        BigDecimal scaled = scale == DECIMAL_SCALE ? value : value.setScale(DECIMAL_SCALE, RoundingMode.UNNECESSARY);
        if (scaled.precision() <= 18) v.setSafe(row, scaled.movePointRight(DECIMAL_SCALE).longValueExact());
        else if (scaled.precision() > DECIMAL_PRECISION)
            throw new ArithmeticException(v.getField().getName() + " " + value.toPlainString() + " has more than "
                    + (DECIMAL_PRECISION - DECIMAL_SCALE) + " integer digits: amounts are kept as DECIMAL(" + DECIMAL_PRECISION + "," + DECIMAL_SCALE + ")");
        else v.setSafe(row, scaled);
    }

    public void setInstant(int col, Instant value) {
        TimeStampMicroTZVector v = (TimeStampMicroTZVector) vectors[col];
        if (value == null) v.setNull(row);
        else v.setSafe(row, Math.addExact(Math.multiplyExact(value.getEpochSecond(), 1_000_000L), value.getNano() / 1_000L));
    }

    /** Ends the current row; pushes the batch when it is full. */
    public void endRow() throws SQLException {
        if (++row == batchRows) flush();
    }

    public long pushNanos() {
        return pushNanos;
    }

    public void flush() throws SQLException {
        if (row == 0) return;
        long t0 = System.nanoTime();
        root.setRowCount(row);
        if (parquet != null) {
            // The batch takes over the buffers; the root gets new ones for the next rows.
            parquet.push(new VectorUnloader(root).getRecordBatch());
            total += row;
            row = 0;
            root.clear();
            root.allocateNew();
            pushNanos += System.nanoTime() - t0;
            return;
        }
        try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch();
             OneBatch reader = new OneBatch(allocator, root.getSchema(), batch);
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            Data.exportArrayStream(allocator, reader, stream);
            conn.registerArrowStream(streamName, stream);
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT INTO " + table + " SELECT * FROM " + streamName);
            }
        } catch (IOException e) {
            throw new SQLException("could not hand a batch of " + table + " to DuckDB: " + e.getMessage(), e);
        }
        total += row;
        row = 0;
        root.clear();
        root.allocateNew();
        pushNanos += System.nanoTime() - t0;
    }

    @Override
    public void close() throws SQLException {
        if (parquet == null) {
            try {
                flush();
            } finally {
                root.close();
            }
            return;
        }
        try {
            if (!abandoned) {
                flush();
                parquet.finish();
            }
        } finally {
            try {
                parquet.close();
            } finally {
                root.close();
            }
        }
    }

    /** An ArrowReader over exactly one record batch. */
    private static final class OneBatch extends ArrowReader {
        private final Schema schema;
        private final ArrowRecordBatch batch;
        private boolean done;

        OneBatch(BufferAllocator allocator, Schema schema, ArrowRecordBatch batch) {
            super(allocator);
            this.schema = schema;
            this.batch = batch;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (done) return false;
            done = true;
            new VectorLoader(getVectorSchemaRoot()).load(batch);
            return true;
        }

        @Override public long bytesRead() { return 0; }
        @Override protected void closeReadSource() {}
        @Override protected Schema readSchema() { return schema; }
    }
}
