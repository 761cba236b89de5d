package dev.attest.io.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.duckdb.DuckDBConnection;

/**
 * One Parquet file written from ranges of rows that are produced concurrently, in range order, by a single
 * {@link ParquetStream}: no intermediate file per range is written, read and joined again.
 *
 * <p>Range 0's batches go straight to the file. A later range's batches wait in a zstd-compressed Arrow IPC stream in
 * the spill folder until every range before it is complete; then they are read back into the file and the range goes on
 * straight (uncompressed, a waiting range held about 1.4 times the finished Parquet's bytes for its rows). Every
 * batch the file receives holds exactly {@code batchRows} rows (the last excepted), re-cut across range boundaries:
 * DuckDB's Parquet writer cuts row groups where its input's chunks fall, so the same rows cut into other ranges (or
 * written by another engine through this class) would otherwise give other bytes, and the run's evidence compares bytes.
 * With {@code batchRows} a multiple of DuckDB's vector size (2,048), the file's bytes depend on its rows alone.
 *
 * <p>Thread-safe: each range is pushed from one thread of its own, in any interleaving with the others.
 */
public final class OrderedParquet implements AutoCloseable {
    /** Rows per batch handed to DuckDB: its default row group, 60 of its 2,048-row vectors. */
    public static final int BATCH_ROWS = 122_880;

    private final BufferAllocator allocator;
    private final Schema schema;
    private final Path file;
    private final Path spillDir;
    private final ParquetStream out;
    private final int batchRows;
    private final Range[] ranges;
    private final Object order = new Object(); // guards current, acc and the pushes into out
    private final VectorSchemaRoot acc;
    private final VectorSchemaRoot scratch;
    private int current;
    private boolean finished;

    public OrderedParquet(DuckDBConnection conn, BufferAllocator allocator, Schema schema, Path file, String options, int ranges,
                          int batchRows) throws SQLException {
        this(conn, allocator, schema, file, options, ranges, batchRows, file.toAbsolutePath().getParent());
    }

    /** As above, the waiting ranges kept in {@code spillDir} (a work folder) instead of beside the target. */
    public OrderedParquet(DuckDBConnection conn, BufferAllocator allocator, Schema schema, Path file, String options, int ranges,
                          int batchRows, Path spillDir) throws SQLException {
        if (ranges < 1) throw new IllegalArgumentException("ranges must be >= 1, got " + ranges);
        if (batchRows < 2048 || batchRows % 2048 != 0)
            throw new IllegalArgumentException("batchRows must be a positive multiple of 2048, got " + batchRows);
        this.allocator = allocator;
        this.schema = schema;
        this.file = file;
        this.spillDir = spillDir;
        this.batchRows = batchRows;
        this.ranges = new Range[ranges];
        for (int k = 0; k < ranges; k++) this.ranges[k] = new Range(k);
        this.ranges[0].direct = true;
        this.acc = VectorSchemaRoot.create(schema, allocator);
        this.scratch = VectorSchemaRoot.create(schema, allocator);
        try {
            acc.allocateNew(); // the appends read the target's offsets
            this.out = new ParquetStream(conn, allocator, schema, file, options);
        } catch (SQLException | RuntimeException e) {
            acc.close();
            scratch.close();
            throw e;
        }
    }

    /** The target of range {@code k}'s batches; its {@code finish()} says the range is complete. */
    public BatchTarget range(int k) {
        return ranges[k];
    }

    /** Completes the file: every range must have finished. */
    public void finish() throws SQLException {
        synchronized (order) {
            if (current < ranges.length) throw new IllegalStateException("range " + current + " of " + file.getFileName() + " is not complete");
            emit();
            out.finish();
            finished = true;
        }
    }

    /** Releases everything; without {@link #finish()}, abandons the file (no partial file is left). */
    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        for (Range r : ranges) {
            try {
                r.discard();
            } catch (SQLException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        synchronized (order) {
            try {
                out.close();
            } finally {
                acc.close();
                scratch.close();
            }
        }
        if (failure != null) throw failure;
    }

    /**
     * Appends rows in file order, handing DuckDB a batch each time {@code batchRows} are gathered. Under {@link #order}.
     * Always a copy into this writer's own buffers: a range's batches belong to its producer's allocator, which closes
     * (and checks for leaks) when the range ends, possibly before DuckDB has read them.
     */
    private void append(VectorSchemaRoot in) throws SQLException {
        int n = in.getRowCount();
        int off = 0;
        while (off < n) {
            int take = Math.min(batchRows - acc.getRowCount(), n - off);
            if (off == 0 && take == n) {
                VectorSchemaRootAppender.append(false, acc, in);
            } else {
                try (VectorSchemaRoot piece = in.slice(off, take)) {
                    VectorSchemaRootAppender.append(false, acc, piece);
                }
            }
            off += take;
            if (acc.getRowCount() == batchRows) emit();
        }
    }

    private void emit() throws SQLException {
        if (acc.getRowCount() == 0) return;
        out.push(new VectorUnloader(acc).getRecordBatch());
        acc.clear();
        acc.allocateNew();
        acc.setRowCount(0);
    }

    private void pushDirect(ArrowRecordBatch batch) throws SQLException {
        synchronized (order) {
            try (batch) {
                new VectorLoader(scratch).load(batch);
                append(scratch);
            } finally {
                scratch.clear();
            }
        }
    }

    /** Range {@code k} is complete: when it is the current one, the next ranges' waiting rows follow it into the file. */
    private void complete(int k) throws SQLException {
        synchronized (order) {
            ranges[k].complete = true;
            if (k != current) return;
            while (++current < ranges.length) {
                Range next = ranges[current];
                if (!next.drainAndGoDirect()) break; // not complete yet: it goes on straight into the file
            }
        }
    }

    /** Where range {@code index} of {@code file} waits, in {@code spillDir}. */
    public static Path spillFile(Path spillDir, Path file, int index) {
        return spillDir.resolve(file.getFileName() + ".range-" + index + ".arrows.zst");
    }

    private final class Range implements BatchTarget {
        private final int index;
        private final Path spill;
        private boolean direct;   // batches go straight to the file (guarded by this)
        private boolean complete; // guarded by order
        private java.io.OutputStream channel;
        private VectorSchemaRoot spillRoot;
        private ArrowStreamWriter writer;

        Range(int index) {
            this.index = index;
            this.spill = spillFile(spillDir, file, index);
        }

        @Override
        public void push(ArrowRecordBatch batch) throws SQLException {
            synchronized (this) {
                if (!direct) {
                    try (batch) {
                        if (writer == null) open();
                        new VectorLoader(spillRoot).load(batch);
                        writer.writeBatch();
                    } catch (IOException e) {
                        throw new SQLException("cannot keep range " + index + " of " + file.getFileName() + " in " + spill + ": " + e.getMessage(), e);
                    } finally {
                        if (spillRoot != null) spillRoot.clear();
                    }
                    return;
                }
            }
            pushDirect(batch);
        }

        private void open() throws IOException {
            Files.deleteIfExists(spill);
            // zstd level 1: about a fifth of the bytes for little CPU beside the rating (the rows are ids, times, decimals).
            channel = new com.github.luben.zstd.ZstdOutputStream(new java.io.BufferedOutputStream(
                    Files.newOutputStream(spill, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16), 1);
            spillRoot = VectorSchemaRoot.create(schema, allocator);
            writer = new ArrowStreamWriter(spillRoot, null, java.nio.channels.Channels.newChannel(channel));
            writer.start();
        }

        @Override
        public void finish() throws SQLException {
            complete(index);
        }

        /** Under {@link #order}: the waiting rows into the file, then straight on. @return whether the range was complete */
        synchronized boolean drainAndGoDirect() throws SQLException {
            try {
                if (writer != null) {
                    writer.end();
                    closeWriter();
                    try (java.io.InputStream in = new com.github.luben.zstd.ZstdInputStream(
                                 new java.io.BufferedInputStream(Files.newInputStream(spill), 1 << 16));
                         ArrowStreamReader reader = new ArrowStreamReader(java.nio.channels.Channels.newChannel(in), allocator)) {
                        VectorSchemaRoot root = reader.getVectorSchemaRoot();
                        while (reader.loadNextBatch()) append(root);
                    }
                    Files.deleteIfExists(spill);
                }
            } catch (IOException e) {
                throw new SQLException("cannot read range " + index + " of " + file.getFileName() + " back from " + spill + ": " + e.getMessage(), e);
            }
            direct = true;
            return complete;
        }

        private void closeWriter() throws IOException {
            try {
                if (writer != null) writer.close();
            } finally {
                writer = null;
                try {
                    if (channel != null) channel.close();
                } finally {
                    channel = null;
                    if (spillRoot != null) spillRoot.close();
                    spillRoot = null;
                }
            }
        }

        synchronized void discard() throws SQLException {
            try {
                closeWriter();
                Files.deleteIfExists(spill);
            } catch (IOException e) {
                throw new SQLException("cannot remove " + spill + ": " + e.getMessage(), e);
            }
        }

        /** A range's own close does nothing: the rows belong to the file, which {@link OrderedParquet#close()} releases. */
        @Override
        public void close() {
        }
    }
}
