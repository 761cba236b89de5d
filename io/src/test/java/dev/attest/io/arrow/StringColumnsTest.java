package dev.attest.io.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

/**
 * String columns cross Java -> DuckDB -> Java as written: nulls (whose slots the sink closes at once) between values,
 * cells a row leaves unset, batches cut mid-pattern; and {@link ArrowColumns.Cached} returns each row's own value.
 */
class StringColumnsTest {
    // Lengths around the 8-byte steps Cached compares in; same-length neighbours differing at the first, the last and
    // the ninth byte; multi-byte UTF-8; the empty string.
    static final List<String> VALUES = Arrays.asList("abc", "abc", "abd", null, "abcdefgh", "abcdefgh", "bbcdefgh", "abcdefgi",
            "abcdefghi", "abcdefghX", "abcdefgh-0123456", "abcdefgh-0123456", "abcdefgh-0123457", null, null, "€uro", "€uro", "",
            "", null, "x", "abcdefghi", "abcdefgzi");

    @Test
    void nullsValuesAndUnsetCellsRoundTrip() throws Exception {
        List<String> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        List<String> backA = new ArrayList<>(), backB = new ArrayList<>(), backC = new ArrayList<>();
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            DuckDBConnection conn = (DuckDBConnection) duck.connection();
            try (DuckTableSink sink = new DuckTableSink(conn, allocator, "t",
                    List.of(DuckTableSink.int32("i"), DuckTableSink.utf8("a"), DuckTableSink.utf8("b"), DuckTableSink.utf8("c")), 5)) {
                for (int i = 0; i < VALUES.size(); i++) {
                    sink.setInt(0, i);
                    // a: the values, nulls through setString
                    sink.setString(1, VALUES.get(i));
                    a.add(VALUES.get(i));
                    // b: null in most rows (as the expectations' discount columns), through setNull and setUtf8
                    String vb = i % 4 == 3 ? VALUES.get(i) : null;
                    if (vb == null) sink.setNull(2); else sink.setUtf8(2, vb.getBytes(StandardCharsets.UTF_8));
                    b.add(vb);
                    // c: left unset in runs of rows, then set: the sink must close the holes it did not see
                    String vc = i % 3 == 0 && i % 6 != 0 ? VALUES.get(i) : null;
                    if (i % 6 == 0) sink.setNull(3);
                    else if (vc != null) sink.setString(3, vc);
                    c.add(vc);
                    sink.endRow();
                }
            }
            ArrowQuery.forEachBatch(conn, allocator, "SELECT a, b, c FROM t ORDER BY i", 7, root -> {
                for (int r = 0; r < root.getRowCount(); r++) {
                    backA.add(ArrowColumns.string(root.getVector(0), r));
                    backB.add(ArrowColumns.string(root.getVector(1), r));
                    backC.add(ArrowColumns.string(root.getVector(2), r));
                }
            });
        }
        assertThat(backA).containsExactlyElementsOf(a);
        assertThat(backB).containsExactlyElementsOf(b);
        assertThat(backC).containsExactlyElementsOf(c);
    }

    @Test
    void cachedReturnsEachRowsOwnValueAndReusesARepeatedOne() throws Exception {
        List<String> back = new ArrayList<>();
        List<Boolean> reused = new ArrayList<>();
        try (Duck duck = Duck.inMemory(); BufferAllocator allocator = new RootAllocator()) {
            DuckDBConnection conn = (DuckDBConnection) duck.connection();
            try (DuckTableSink sink = new DuckTableSink(conn, allocator, "t", List.of(DuckTableSink.int32("i"), DuckTableSink.utf8("s")), 64)) {
                for (int i = 0; i < VALUES.size(); i++) {
                    sink.setInt(0, i);
                    sink.setString(1, VALUES.get(i));
                    sink.endRow();
                }
            }
            ArrowColumns.Cached cached = new ArrowColumns.Cached();
            String[] previous = {null};
            // Batches of 4: a repeated value is found again across batches, whose buffers are new.
            ArrowQuery.forEachBatch(conn, allocator, "SELECT s FROM t ORDER BY i", 4, root -> {
                for (int r = 0; r < root.getRowCount(); r++) {
                    String s = cached.get(root.getVector(0), r);
                    reused.add(s != null && s == previous[0]);
                    back.add(s);
                    if (s != null) previous[0] = s;
                }
            });
        }
        assertThat(back).containsExactlyElementsOf(VALUES);
        for (int i = 1; i < VALUES.size(); i++)
            if (VALUES.get(i) != null && VALUES.get(i).equals(VALUES.get(i - 1)))
                assertThat(reused.get(i)).as("row %d repeats row %d's value: the same instance", i, i - 1).isTrue();
    }
}
