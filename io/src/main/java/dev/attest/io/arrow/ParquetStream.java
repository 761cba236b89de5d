package dev.attest.io.arrow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Writes Arrow batches into one Parquet file as they are made: a single DuckDB {@code COPY} reads them from a stream on a
 * thread of its own while the producer goes on, so the rows are never gathered in a table first (at 10M expectations
 * such a table held about 3 GB, and at 100M it spilled tens of gigabytes to disk before being copied out again).
 *
 * <p>The file is written as {@code FILE.partial} and moved into place by {@link #finish()}; {@link #close()} without
 * {@code finish} abandons it and deletes the partial file. The producer blocks when DuckDB is two batches behind.
 */
public final class ParquetStream implements BatchTarget {
    private static final AtomicLong STREAMS = new AtomicLong();
    private static final Object END = new Object();
    private static final Object ABORT = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
    private final DuckDBConnection conn;
    private final Path file;
    private final Path partial;
    private final QueueReader reader;
    private final ArrowArrayStream stream;
    private final Thread copier;
    private volatile Throwable failure;
    private boolean ended;

    /**
     * @param source  a connection of the database that writes (duplicated: the COPY runs on a connection of its own)
     * @param options the COPY options, e.g. {@code FORMAT parquet, COMPRESSION zstd}
     */
    public ParquetStream(DuckDBConnection source, BufferAllocator allocator, Schema schema, Path file, String options) throws SQLException {
        this.file = file;
        this.partial = file.resolveSibling(file.getFileName() + ".partial");
        this.conn = (DuckDBConnection) source.duplicate();
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            conn.close();
            throw new SQLException("cannot remove " + partial + ": " + e.getMessage(), e);
        }
        this.reader = new QueueReader(allocator, schema);
        this.stream = ArrowArrayStream.allocateNew(allocator);
        String name = "__parquet_stream_" + STREAMS.incrementAndGet();
        try {
            Data.exportArrayStream(allocator, reader, stream);
            conn.registerArrowStream(name, stream);
        } catch (RuntimeException e) {
            stream.close();
            conn.close();
            throw e;
        }
        String sql = "COPY (SELECT * FROM " + name + ") TO " + dev.attest.io.duck.Duck.literal(partial.toString()) + " (" + options + ")";
        this.copier = new Thread(() -> {
            try (Statement st = conn.createStatement()) {
                st.execute(sql);
            } catch (Throwable t) {
                failure = t;
                queue.clear(); // a producer waiting for room sees the failure at once
            }
        }, "attest-parquet-" + file.getFileName());
        copier.setDaemon(true);
        copier.start();
    }

    /** Hands one batch over (the stream owns it from here on); blocks while DuckDB is behind. */
    @Override
    public void push(ArrowRecordBatch batch) throws SQLException {
        try {
            while (!queue.offer(batch, 50, TimeUnit.MILLISECONDS)) {
                if (failure != null || !copier.isAlive()) {
                    batch.close();
                    throw failed();
                }
            }
        } catch (InterruptedException e) {
            batch.close();
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while writing " + file, e);
        }
    }

    /** Ends the stream, waits for the COPY and moves the file into place. */
    @Override
    public void finish() throws SQLException {
        ended = true;
        offerOrFail(END);
        join();
        if (failure != null) throw failed();
        try {
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SQLException("cannot move " + partial + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private void offerOrFail(Object marker) throws SQLException {
        try {
            while (copier.isAlive() && !queue.offer(marker, 50, TimeUnit.MILLISECONDS)) {
                // DuckDB is still taking batches
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while ending " + file, e);
        }
    }

    private void join() throws SQLException {
        try {
            copier.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for " + file, e);
        }
    }

    private SQLException failed() {
        Throwable t = failure;
        return t instanceof SQLException s ? s : new SQLException("writing " + file + " failed: " + (t == null ? "the COPY ended early" : t.getMessage()), t);
    }

    /** Abandons the file unless {@link #finish()} ran, and releases everything. */
    @Override
    public void close() throws SQLException {
        try {
            if (!ended) {
                ended = true;
                // DuckDB may ask for another batch after the reader failed: each ask gets ABORT again, until the COPY ends.
                while (copier.isAlive()) {
                    queue.offer(ABORT);
                    try {
                        copier.join(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while abandoning " + file, e);
                    }
                }
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    // reported by the caller's failure; a partial file is never moved into place
                }
            }
        } finally {
            Object o;
            while ((o = queue.poll()) != null) if (o instanceof ArrowRecordBatch b) b.close();
            try {
                stream.close();
                reader.close();
            } catch (IOException e) {
                throw new SQLException("closing the stream of " + file + " failed: " + e.getMessage(), e);
            } finally {
                conn.close();
            }
        }
    }

    /** The stream DuckDB reads: each batch taken from the queue as the producer hands it over. */
    private final class QueueReader extends ArrowReader {
        private final Schema schema;

        QueueReader(BufferAllocator allocator, Schema schema) {
            super(allocator);
            this.schema = schema;
        }

        private boolean aborted;
        private boolean done;

        @Override
        public boolean loadNextBatch() throws IOException {
            // Sticky: after the end or an abort, DuckDB may ask again, and must not wait for a batch that never comes.
            if (aborted) throw new IOException("the producer of " + file.getFileName() + " stopped");
            if (done) return false;
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (o == END) {
                done = true;
                return false;
            }
            if (o == ABORT) {
                aborted = true;
                throw new IOException("the producer of " + file.getFileName() + " stopped");
            }
            try (ArrowRecordBatch batch = (ArrowRecordBatch) o) {
                new VectorLoader(getVectorSchemaRoot()).load(batch);
            }
            return true;
        }

        @Override public long bytesRead() { return 0; }
        @Override protected void closeReadSource() {}
        @Override protected Schema readSchema() { return schema; }
    }
}
