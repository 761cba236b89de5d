package dev.attest.io.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranges of rows made concurrently come out as one file in range order, and the file's bytes depend on the rows alone:
 * the same rows cut into other ranges, pushed in other batch sizes, give the same bytes. Every allocator closes clean (a
 * leaked buffer fails the test) and no waiting file is left behind.
 */
class OrderedParquetTest {
    private static final List<Field> FIELDS = List.of(DuckTableSink.int32("i"), DuckTableSink.utf8("s"), DuckTableSink.decimal("d"),
            DuckTableSink.bool("b"), DuckTableSink.timestamp("t"));
    private static final int ROWS = 300_000;

    @Test
    @Timeout(120)
    void concurrentRangesGiveTheBytesOfOneSequentialWrite(@TempDir Path dir) throws Exception {
        byte[] one = write(dir.resolve("one.parquet"), new int[] {ROWS}, 50_000);
        byte[] three = write(dir.resolve("three.parquet"), new int[] {70_001, 130_000, 99_999}, 8_191);
        byte[] seven = write(dir.resolve("seven.parquet"), new int[] {1, 0, 45_000, 45_000, 100_000, 9_999, 100_000}, 122_880);
        assertThat(three).isEqualTo(one);
        assertThat(seven).isEqualTo(one);
        try (Duck duck = Duck.inMemory()) {
            String f = Duck.literal(dir.resolve("seven.parquet").toString());
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + f + ")")).isEqualTo(ROWS);
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + f + ", file_row_number=true) WHERE i <> file_row_number")).isZero();
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + f + ") WHERE s IS NULL")).isEqualTo(ROWS / 7 + 1);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("one.parquet", "seven.parquet", "three.parquet");
        }
    }

    @Test
    @Timeout(60)
    void abandonedLeavesNoFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.parquet");
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            try (OrderedParquet out = new OrderedParquet((DuckDBConnection) duck.connection(), allocator, new Schema(FIELDS), file,
                    "FORMAT parquet", 2, 2048)) {
                fill(allocator, out.range(1), 1_000, 5_000, 1_000, false); // waits in its file: range 0 never completes
                fill(allocator, out.range(0), 0, 3_000, 1_000, false);
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void aWaitingRangeIsKeptCompressedInTheSpillFolder(@TempDir Path dir, @TempDir Path spill) throws Exception {
        Path file = dir.resolve("out.parquet");
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            try (OrderedParquet out = new OrderedParquet((DuckDBConnection) duck.connection(), allocator, new Schema(FIELDS), file,
                    "FORMAT parquet, COMPRESSION zstd", 2, OrderedParquet.BATCH_ROWS, spill)) {
                fill(allocator, out.range(1), 150_000, ROWS, 10_000, true); // range 0 has not completed: range 1 waits
                Path waiting = OrderedParquet.spillFile(spill, file, 1);
                try (var files = Files.list(spill)) {
                    assertThat(files.toList()).containsExactly(waiting);
                }
                byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(waiting), 4);
                assertThat(head).containsExactly(0x28, 0xB5, 0x2F, 0xFD); // a zstd frame
                try (var files = Files.list(dir)) {
                    assertThat(files.filter(p -> p.getFileName().toString().contains("range")).toList()).isEmpty();
                }
                fill(allocator, out.range(0), 0, 150_000, 10_000, true);
                out.finish();
            }
        }
        try (var files = Files.list(spill)) {
            assertThat(files.toList()).isEmpty();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(write(dir.resolve("one.parquet"), new int[] {ROWS}, 50_000));
    }

    /** Writes rows 0..ROWS-1 cut into ranges of the given sizes, each on its own thread, pushed in batches of {@code batch}. */
    private static byte[] write(Path file, int[] sizes, int batch) throws Exception {
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (OrderedParquet out = new OrderedParquet((DuckDBConnection) duck.connection(), allocator, new Schema(FIELDS), file,
                    "FORMAT parquet, COMPRESSION zstd", sizes.length, OrderedParquet.BATCH_ROWS)) {
                List<Future<?>> done = new ArrayList<>();
                int from = 0;
                // Later ranges first, so that most of them wait for their turn.
                List<int[]> work = new ArrayList<>();
                for (int k = 0; k < sizes.length; k++) {
                    work.add(new int[] {k, from, from + sizes[k]});
                    from += sizes[k];
                }
                java.util.Collections.reverse(work);
                for (int[] w : work) {
                    done.add(pool.submit(() -> {
                        try (BufferAllocator child = allocator.newChildAllocator("range-" + w[0], 0, Long.MAX_VALUE)) {
                            fill(child, out.range(w[0]), w[1], w[2], batch, true);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
                out.finish();
            } finally {
                pool.shutdown();
            }
        }
        return Files.readAllBytes(file);
    }

    private static void fill(BufferAllocator allocator, BatchTarget target, int from, int to, int batch, boolean finish) throws Exception {
        DuckTableSink sink = new DuckTableSink(allocator, FIELDS, batch, target);
        if (!finish) sink.abandon();
        try (sink) {
            for (int i = from; i < to; i++) {
                sink.setInt(0, i);
                sink.setString(1, i % 7 == 0 ? null : "row " + (i % 1000));
                sink.setDecimal(2, BigDecimal.valueOf(i, 3));
                sink.setBool(3, i % 2 == 0);
                sink.setInstant(4, Instant.ofEpochSecond(1_700_000_000L + i));
                sink.endRow();
            }
        }
    }
}
