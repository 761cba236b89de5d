package dev.attest.io.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet sink writes its rows as they come and completes the file on close; abandoned (its producer failed), it leaves
 * no file, does not hang on the COPY that waits for more, and leaks no Arrow buffer (the allocator closes clean).
 */
class ParquetStreamTest {
    private static final List<Field> FIELDS = List.of(DuckTableSink.int32("i"), DuckTableSink.utf8("s"), DuckTableSink.decimal("d"));

    @Test
    void rowsArriveInOrderInOneFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.parquet");
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            DuckDBConnection conn = (DuckDBConnection) duck.connection();
            try (DuckTableSink sink = new DuckTableSink(conn, allocator, FIELDS, 1_000, file, "FORMAT parquet, COMPRESSION zstd")) {
                for (int i = 0; i < 10_500; i++) {
                    sink.setInt(0, i);
                    sink.setString(1, i % 3 == 0 ? null : "row " + i);
                    sink.setDecimal(2, java.math.BigDecimal.valueOf(i, 2));
                    sink.endRow();
                }
            }
            String f = Duck.literal(file.toString());
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + f + ")")).isEqualTo(10_500);
            assertThat(duck.queryLong("SELECT count(*) FROM (SELECT i, lag(i) OVER (ORDER BY file_row_number) AS p FROM read_parquet(" + f
                    + ", file_row_number=true)) WHERE p IS NOT NULL AND i <> p + 1")).isZero();
            assertThat(duck.queryLong("SELECT count(*) FROM read_parquet(" + f + ") WHERE s IS NULL")).isEqualTo(3_500);
            assertThat(duck.queryString("SELECT CAST(d AS VARCHAR) FROM read_parquet(" + f + ") WHERE i = 10499")).isEqualTo("104.990000000");
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).containsExactly("out.parquet");
    }

    @Test
    @Timeout(60)
    void anAbandonedSinkLeavesNoFileAndDoesNotHang(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.parquet");
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            DuckDBConnection conn = (DuckDBConnection) duck.connection();
            try (DuckTableSink sink = new DuckTableSink(conn, allocator, FIELDS, 100, file, "FORMAT parquet")) {
                for (int i = 0; i < 450; i++) {
                    sink.setInt(0, i);
                    sink.setString(1, "x");
                    sink.setDecimal(2, java.math.BigDecimal.ONE);
                    sink.endRow();
                }
                sink.abandon(); // the producer failed midway: four batches already handed over
            }
        }
        assertThat(Files.list(dir).toList()).isEmpty();
    }
}
