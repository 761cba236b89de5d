package dev.attest.generator;

import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Streams Arrow batches into Parquet files through DuckDB: a writer thread runs
 * {@code COPY (SELECT * FROM stream) TO file} whose Arrow stream pulls batches from a small queue that the
 * generator fills, so memory (off the Java heap) is bounded by the queue, not by the data. A new file is
 * started every {@code chunkRows} rows (at a batch boundary): {@code base-00000.parquet}, ...; a table that
 * fits in one file becomes {@code base.parquet}. Each table has its own DuckDB instance, so that two tables
 * streaming at once never wait on each other's worker threads.
 */
final class ParquetChunks implements AutoCloseable {
    private static final Object END_OF_FILE = new Object();
    private static final Object END_OF_ALL = new Object();
    private static final int QUEUE = 4;

    private final BufferAllocator allocator;
    private final Schema schema;
    private final Path dir;
    private final String base;
    private final long chunkRows;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE);
    private final List<Path> files = new ArrayList<>(); // written by the writer thread, read after it finished
    private final Future<?> writer;
    private long inFile;
    private long total;
    private boolean finished;

    ParquetChunks(ExecutorService executor, BufferAllocator allocator, Schema schema, Path dir, String base, long chunkRows) {
        this.allocator = allocator;
        this.schema = schema;
        this.dir = dir;
        this.base = base;
        this.chunkRows = chunkRows;
        this.writer = executor.submit(() -> {
            writeAll();
            return null;
        });
    }

    /** Queues the batch (and takes ownership of it); starts a new file after chunkRows rows. */
    void add(ArrowRecordBatch batch, int rows) throws InterruptedException {
        put(batch);
        inFile += rows;
        total += rows;
        if (inFile >= chunkRows) {
            put(END_OF_FILE);
            inFile = 0;
        }
    }

    long total() {
        return total;
    }

    /** Waits for the last file; returns the files written, in order. */
    List<Path> finish() throws InterruptedException, IOException {
        put(END_OF_ALL);
        finished = true;
        await();
        if (files.size() == 1) {
            Path single = dir.resolve(base + ".parquet");
            Files.move(files.get(0), single, StandardCopyOption.REPLACE_EXISTING);
            files.set(0, single);
        }
        return List.copyOf(files);
    }

    private void put(Object item) throws InterruptedException {
        while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
            if (writer.isDone()) {
                await();
                throw new IllegalStateException("the " + base + " writer stopped early");
            }
        }
    }

    private void await() throws InterruptedException {
        try {
            writer.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new IllegalStateException("writing " + base + " Parquet failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * After a failure: ends the stream so that the writer's COPY completes, waits for it, and frees what is
     * still queued. Nothing to do after {@link #finish()}.
     */
    @Override
    public void close() {
        if (finished) return;
        finished = true;
        drain();
        queue.offer(END_OF_ALL);
        try {
            writer.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException | java.util.concurrent.CancellationException e) {
            // already failing; the cause is reported by the caller
        }
        drain();
    }

    private void drain() {
        Object o;
        while ((o = queue.poll()) != null) if (o instanceof ArrowRecordBatch b) b.close();
    }

    // ---- writer thread ----

    private void writeAll() throws Exception {
        try (Duck duck = Duck.inMemory()) {
            DuckDBConnection conn = duck.connection().unwrap(DuckDBConnection.class);
            while (true) {
                Object first = queue.take();
                if (first == END_OF_ALL && !files.isEmpty()) return;
                if (first == END_OF_FILE) continue; // never follows an empty file, but harmless
                Path file = dir.resolve(String.format("%s-%05d.parquet", base, files.size()));
                QueueReader reader = new QueueReader(allocator, first);
                copy(duck, conn, reader, file);
                files.add(file);
                if (reader.last == END_OF_ALL || first == END_OF_ALL) return;
            }
        }
    }

    private void copy(Duck duck, DuckDBConnection conn, QueueReader reader, Path file) throws SQLException, IOException {
        String name = "gen_stream_" + base;
        try (reader; ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            Data.exportArrayStream(allocator, reader, stream);
            conn.registerArrowStream(name, stream);
            duck.execute("COPY (SELECT * FROM " + name + ") TO " + Duck.literal(file.toString())
                    + " (FORMAT parquet, COMPRESSION zstd)");
        }
    }

    /** An Arrow stream over the queue: batches until a file or stream marker; each batch freed once loaded. */
    private final class QueueReader extends ArrowReader {
        private Object pending;
        Object last;

        QueueReader(BufferAllocator allocator, Object first) {
            super(allocator);
            this.pending = first;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (last != null) return false;
            Object item;
            try {
                item = pending != null ? pending : queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for rows", e);
            }
            pending = null;
            if (item instanceof ArrowRecordBatch b) {
                try (b) {
                    new VectorLoader(getVectorSchemaRoot()).load(b);
                }
                return true;
            }
            last = item;
            return false;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
            if (pending instanceof ArrowRecordBatch b) b.close();
            pending = null;
        }

        @Override
        protected Schema readSchema() {
            return schema;
        }
    }
}
