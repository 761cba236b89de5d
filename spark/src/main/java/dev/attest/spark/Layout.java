package dev.attest.spark;

import dev.attest.engine.audit.FindingSink;
import dev.attest.engine.audit.RatePass;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The rows the fold emits, one wide schema for the three kinds so that one pass over the data writes them all (Parquet,
 * told apart by {@code kind}): E an expectation, F a finding, S a period's state at the window's end. The columns are
 * the embedded engine's own ({@link RatePass#EXPECTED_FIELDS}, {@link FindingSink#FIELDS}, {@link RatePass#STATE_FIELDS}),
 * prefixed e_, f_ and s_, in the same order: the driver copies them into the workspace by position.
 */
final class Layout {
    static final String KIND = "kind";
    static final int EXPECTED_AT = 1;
    static final int FINDING_AT = EXPECTED_AT + RatePass.EXPECTED_FIELDS.size();
    static final int STATE_AT = FINDING_AT + FindingSink.FIELDS.size();
    static final int WIDTH = STATE_AT + RatePass.STATE_FIELDS.size();
    static final StructType SCHEMA = schema();

    private Layout() {}

    private static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(KIND, DataTypes.StringType, false));
        add(fields, "e_", RatePass.EXPECTED_FIELDS);
        add(fields, "f_", FindingSink.FIELDS);
        add(fields, "s_", RatePass.STATE_FIELDS);
        return DataTypes.createStructType(fields);
    }

    private static void add(List<StructField> out, String prefix, List<Field> fields) {
        for (Field f : fields) out.add(DataTypes.createStructField(prefix + f.getName(), sparkType(f.getType()), true));
    }

    /** The Spark type of one of DuckTableSink's Arrow column types. */
    static DataType sparkType(ArrowType t) {
        if (t instanceof ArrowType.Utf8) return DataTypes.StringType;
        if (t instanceof ArrowType.Int) return DataTypes.IntegerType;
        if (t instanceof ArrowType.Bool) return DataTypes.BooleanType;
        if (t instanceof ArrowType.Decimal d) return DataTypes.createDecimalType(d.getPrecision(), d.getScale());
        if (t instanceof ArrowType.Timestamp) return DataTypes.TimestampType;
        throw new IllegalArgumentException("no Spark type for " + t);
    }

    /** The select list that takes one kind's columns back under their own names. */
    static String columns(String prefix, List<Field> fields) {
        StringBuilder sb = new StringBuilder();
        for (Field f : fields) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append('"').append(prefix).append(f.getName()).append('"');
        }
        return sb.toString();
    }
}
