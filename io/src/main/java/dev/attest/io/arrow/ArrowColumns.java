package dev.attest.io.arrow;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;

/** Typed reads from Arrow vectors exported by DuckDB, without going through JDBC getters. */
public final class ArrowColumns {
    private ArrowColumns() {}

    /** A column of a query's result, named: an enum of these is the query's select list and its reader's key. */
    public interface Column {
        /** The column's name in the result (its alias in the select list): an enum constant's name in lower case. */
        default String column() {
            return ((Enum<?>) this).name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The vectors of one batch looked up by name, once per batch, and indexed by the enum's ordinals: code reads a column
     * by its enum constant, never by its position in the select list, so reordering the query cannot misread a column.
     */
    public static final class Named<E extends Enum<E> & Column> {
        private final E[] columns;
        private final FieldVector[] vectors;

        public Named(Class<E> type) {
            this.columns = type.getEnumConstants();
            this.vectors = new FieldVector[columns.length];
        }

        /** Binds the columns to {@code root}'s vectors; fails naming the column the result lacks. */
        public Named<E> bind(org.apache.arrow.vector.VectorSchemaRoot root) {
            for (E c : columns) {
                FieldVector v = root.getVector(c.column());
                if (v == null) throw new IllegalStateException("the result has no column '" + c.column() + "'");
                vectors[c.ordinal()] = v;
            }
            return this;
        }

        public FieldVector get(E c) {
            return vectors[c.ordinal()];
        }
    }

    /** The select list of an enum's columns: each constant's SQL expression given by {@code expr}, aliased by its name. */
    public static <E extends Enum<E> & Column> String selectList(Class<E> type, java.util.function.Function<E, String> expr) {
        StringBuilder sb = new StringBuilder();
        for (E c : type.getEnumConstants()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(expr.apply(c)).append(" AS ").append(dev.attest.io.duck.Duck.ident(c.column()));
        }
        return sb.toString();
    }

    public static Instant instant(FieldVector v, int i) {
        if (v.isNull(i)) return null;
        long micros = ((TimeStampVector) v).get(i);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    public static long micros(FieldVector v, int i) {
        return ((TimeStampVector) v).get(i);
    }

    /**
     * Exact. Decimal128 values that fit in 64 bits (nearly all amounts and quantities) are read as a long;
     * the general path builds a BigInteger from reversed bytes, several times slower on the hot path.
     */
    public static BigDecimal decimal(FieldVector v, int i) {
        if (v.isNull(i)) return null;
        DecimalVector d = (DecimalVector) v;
        long offset = (long) i * DecimalVector.TYPE_WIDTH;
        long lo = d.getDataBuffer().getLong(offset);
        long hi = d.getDataBuffer().getLong(offset + 8);
        if (hi == (lo >> 63)) return BigDecimal.valueOf(lo, d.getScale());
        return d.getObject(i);
    }

    public static Integer integer(FieldVector v, int i) {
        return v.isNull(i) ? null : ((IntVector) v).get(i);
    }

    public static boolean bool(FieldVector v, int i) {
        return !v.isNull(i) && ((BitVector) v).get(i) == 1;
    }

    public static String string(FieldVector v, int i) {
        if (v.isNull(i)) return null;
        return new String(((VarCharVector) v).get(i), StandardCharsets.UTF_8);
    }

    /**
     * Reads a low-cardinality string column (customer, meter, currency, policy ids): consecutive equal values,
     * the common case in sorted partitions, return the same String instance without decoding again.
     */
    public static final class Cached {
        private byte[] buf = new byte[64];
        private int len = -1;
        private String last;

        public String get(FieldVector v, int i) {
            if (v.isNull(i)) return null;
            VarCharVector vc = (VarCharVector) v;
            long start = vc.getStartOffset(i);
            int n = (int) (vc.getEndOffset(i) - start);
            ArrowBuf data = vc.getDataBuffer();
            // Compared where it lies (Arrow's compare reads eight bytes at a time): a copy and Arrays.equals for each of a
            // row's eleven such columns were a tenth of the rating threads' samples, and these values are a few bytes long.
            if (n == len && ByteFunctionHelpers.compare(data, (int) start, (int) start + n, buf, 0, n) == 0) return last;
            if (buf.length < n) buf = new byte[Math.max(n, buf.length * 2)];
            data.getBytes(start, buf, 0, n);
            len = n;
            last = new String(buf, 0, n, StandardCharsets.UTF_8);
            return last;
        }
    }
}
