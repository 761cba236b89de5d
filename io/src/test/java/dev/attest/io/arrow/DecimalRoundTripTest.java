package dev.attest.io.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

/** Decimals cross Java -> DuckDB -> Java exactly, on the 64-bit fast path and on the general one. */
class DecimalRoundTripTest {
    static final List<BigDecimal> VALUES = Arrays.asList(new BigDecimal("-1.5"), BigDecimal.ZERO, new BigDecimal("0.000000001"),
            new BigDecimal("-0.000000001"), new BigDecimal("999999999.999999999"), new BigDecimal("9223372036.854775807"),
            new BigDecimal("9223372036.854775808"), new BigDecimal("-9223372036.854775809"),
            new BigDecimal("12345678901234567890.123456789"), new BigDecimal("-12345678901234567890.123456789"), null, new BigDecimal("2.5"));

    @Test
    void decimalsRoundTripExactly() throws Exception {
        List<BigDecimal> back = new ArrayList<>();
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            DuckDBConnection conn = (DuckDBConnection) duck.connection();
            try (DuckTableSink sink = new DuckTableSink(conn, allocator, "t", List.of(DuckTableSink.int32("i"), DuckTableSink.decimal("d")), 4)) {
                for (int i = 0; i < VALUES.size(); i++) {
                    sink.setInt(0, i);
                    sink.setDecimal(1, VALUES.get(i));
                    sink.endRow();
                }
            }
            assertThat(duck.queryString("SELECT CAST(d AS VARCHAR) FROM t WHERE i = 8")).isEqualTo("12345678901234567890.123456789");
            ArrowQuery.forEachBatch(conn, allocator, "SELECT d FROM t ORDER BY i", 5, root -> {
                for (int r = 0; r < root.getRowCount(); r++) back.add(ArrowColumns.decimal(root.getVector(0), r));
            });
        }
        assertThat(back).hasSize(VALUES.size());
        for (int i = 0; i < VALUES.size(); i++) {
            if (VALUES.get(i) == null) assertThat(back.get(i)).isNull();
            else assertThat(back.get(i)).as("value %d", i).isEqualByComparingTo(VALUES.get(i));
        }
    }
}
