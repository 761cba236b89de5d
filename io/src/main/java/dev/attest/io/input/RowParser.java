package dev.attest.io.input;

import static dev.attest.io.duck.Duck.literal;

import dev.attest.io.input.Contract.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the vectorised SQL that turns one source segment (a query with columns {@code src_file},
 * {@code src_row}, {@code __row}, {@code __bad_line} (NULL, or why the whole row is unreadable) and {@code c_<contract column>}) into typed contract
 * columns plus {@code reason} (NULL when the row is valid; else every problem, joined by "; ") and
 * {@code raw} (the row as JSON text, computed for bad rows only).
 */
final class RowParser {
    static final String FAST_DECIMAL = "[+-]?[0-9]+(\\.[0-9]{0,9})?";
    static final String ANY_DECIMAL = "[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?";
    static final String DECIMAL_PARTS = "^[+-]?([0-9]*)(?:\\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$";
    static final String WITH_OFFSET = "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)";
    static final String NO_OFFSET = "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?";
    static final String INTEGER_TEXT = "[+-]?[0-9]+(\\.0*)?";
    /** A JSON object of string values without escapes: if its keys are sorted and unique, minifying it makes it canonical. */
    static final String SIMPLE_JSON_OBJECT = "\\{\\s*(\"[^\"\\\\\\x00-\\x1f]*\"\\s*:\\s*\"[^\"\\\\\\x00-\\x1f]*\""
            + "(\\s*,\\s*\"[^\"\\\\\\x00-\\x1f]*\"\\s*:\\s*\"[^\"\\\\\\x00-\\x1f]*\")*)?\\s*\\}";

    private static final Pattern DECIMAL_TYPE = Pattern.compile("DECIMAL\\((\\d+),\\s*(\\d+)\\)");

    private RowParser() {}

    /** The zone for timestamps without offset, as SQL: a region name known to DuckDB or a fixed offset. */
    record Zone(String region, String offset) {
        String convert(String timestampExpr) {
            if (region != null) return "timezone(" + literal(region) + ", " + timestampExpr + ")";
            return "TRY_CAST(CAST(" + timestampExpr + " AS VARCHAR) || " + literal(offset) + " AS TIMESTAMPTZ)";
        }
    }

    enum TypeClass { TEXT, INTEGER, EXACT_DECIMAL, WIDE_DECIMAL, FLOATING, INSTANT, NAIVE_TIMESTAMP, MAP, STRUCT, OTHER }

    static TypeClass classify(String duckType) {
        String t = duckType.toUpperCase(Locale.ROOT).trim();
        if (t.equals("VARCHAR") || t.equals("JSON") || t.startsWith("VARCHAR(")) return TypeClass.TEXT;
        switch (t) {
            case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT":
                return TypeClass.INTEGER;
            case "DOUBLE", "FLOAT", "REAL":
                return TypeClass.FLOATING;
            case "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME":
                return TypeClass.NAIVE_TIMESTAMP;
            default:
                break;
        }
        if (t.contains("WITH TIME ZONE") || t.equals("TIMESTAMPTZ")) return TypeClass.INSTANT;
        Matcher m = DECIMAL_TYPE.matcher(t);
        if (m.matches()) return Integer.parseInt(m.group(2)) <= 9 ? TypeClass.EXACT_DECIMAL : TypeClass.WIDE_DECIMAL;
        if (t.startsWith("MAP(")) return TypeClass.MAP;
        if (t.startsWith("STRUCT(")) return TypeClass.STRUCT;
        return TypeClass.OTHER;
    }

    private static final class Layers {
        final List<List<String>> layers = new ArrayList<>();
        final List<String[]> bad = new ArrayList<>(); // {condition, message expr}
        final List<String> finals = new ArrayList<>();

        Layers() {
            for (int i = 0; i < 8; i++) layers.add(new ArrayList<>());
        }

        void add(int layer, String expr, String alias) {
            layers.get(layer).add(expr + " AS " + alias);
        }

        void bad(String condition, String message) {
            bad.add(new String[] {condition, message});
        }
    }

    /**
     * @param segmentSql the source query (see class comment)
     * @param types      DuckDB type of each {@code c_<name>} column, in contract order
     * @param rawExpr    SQL for the raw JSON text of a row, in terms of {@code __row}
     * @param floating   receives the names of columns read from floating point
     */
    static String build(String segmentSql, List<Column> columns, List<String> types, Zone zone, String rawExpr, List<String> floating) {
        return build(segmentSql, columns, types, zone, rawExpr, floating, List.of());
    }

    /** As above, carrying the columns {@code carry} of {@code segmentSql} through to the result unchanged. */
    static String build(String segmentSql, List<Column> columns, List<String> types, Zone zone, String rawExpr, List<String> floating,
                        List<String> carry) {
        Layers l = new Layers();
        for (int i = 0; i < columns.size(); i++) {
            Column col = columns.get(i);
            plan(l, col, types.get(i), zone, floating);
        }
        String sql = "SELECT * FROM (" + segmentSql + ") AS __s";
        int n = 0;
        for (List<String> layer : l.layers) {
            if (layer.isEmpty()) continue;
            sql = "SELECT *, " + String.join(", ", layer) + " FROM (" + sql + ") AS __l" + (n++);
        }
        StringBuilder any = new StringBuilder();
        StringBuilder parts = new StringBuilder();
        for (String[] b : l.bad) {
            if (any.length() > 0) {
                any.append(" OR ");
                parts.append(", ");
            }
            any.append("(").append(b[0]).append(")");
            parts.append("CASE WHEN ").append(b[0]).append(" THEN ").append(b[1]).append(" END");
        }
        String reason = "CASE WHEN __bad_line IS NOT NULL THEN __bad_line WHEN " + any
                + " THEN concat_ws('; ', " + parts + ") END";
        String carried = carry.stream().map(c -> ", " + c).collect(java.util.stream.Collectors.joining());
        sql = "SELECT " + String.join(", ", l.finals) + ", src_file, src_row, __row" + carried + ", " + reason + " AS reason FROM (" + sql + ") AS __f";
        return "SELECT * EXCLUDE (__row), CAST(CASE WHEN reason IS NOT NULL THEN " + rawExpr + " END AS VARCHAR) AS raw FROM (" + sql + ") AS __r";
    }

    /** Canonical JSON object text of (key, value) entries: keys sorted, values strings; NULL when empty. */
    private static String canonical(String entries) {
        return "NULLIF('{' || array_to_string(list_transform(list_sort(" + entries + "), lambda x: CAST(to_json(x.key) AS VARCHAR) || ':' || "
                + "CAST(to_json(x.value) AS VARCHAR)), ',') || '}', '{}')";
    }

    private static String quoteEcho(String prefix, String echo) {
        return literal(prefix + " '") + " || left(" + echo + ", 100) || ''''";
    }

    private static String textOf(String c, TypeClass tc) {
        String s = tc == TypeClass.STRUCT ? "CAST(to_json(" + c + ") AS VARCHAR)" : "CAST(" + c + " AS VARCHAR)";
        return "NULLIF(trim(" + s + "), '')";
    }

    private static void plan(Layers l, Column col, String type, Zone zone, List<String> floating) {
        String n = col.name();
        String c = "c_" + n, t = "t_" + n, k = "k_" + n, v = "v_" + n;
        TypeClass tc = classify(type);
        String missing = col.required() ? literal(n + ": missing") : null;
        switch (col.kind()) {
            case STRING -> {
                l.add(0, textOf(c, tc), t);
                if (col.required()) l.bad(t + " IS NULL", missing);
                l.finals.add("CAST(" + t + " AS VARCHAR) AS " + n);
            }
            case DECIMAL -> {
                String echo;
                if (tc == TypeClass.INTEGER || tc == TypeClass.EXACT_DECIMAL) {
                    l.add(3, "CASE WHEN " + c + " IS NULL THEN 0 ELSE 1 END", k);
                    l.add(4, "TRY_CAST(" + c + " AS DECIMAL(38,9))", v);
                    echo = "CAST(" + c + " AS VARCHAR)";
                } else {
                    if (tc == TypeClass.FLOATING) floating.add(n);
                    String f = "f_" + n, m = "m_" + n;
                    l.add(0, textOf(c, tc), t);
                    l.add(1, "regexp_full_match(" + t + ", " + literal(FAST_DECIMAL) + ")", f);
                    l.add(2, "CASE WHEN " + t + " IS NOT NULL AND NOT " + f + " THEN regexp_extract(" + t + ", "
                            + literal(DECIMAL_PARTS) + ", ['i', 'f', 'e']) END", m);
                    String digits = "(" + m + ".i || " + m + ".f)";
                    String exact = "rtrim(" + digits + ", '0') = '' OR length(" + m + ".f) - coalesce(TRY_CAST(" + m
                            + ".e AS INTEGER), 0) - (length(" + digits + ") - length(rtrim(" + digits + ", '0'))) <= 9";
                    l.add(3, "CASE WHEN " + t + " IS NULL THEN 0 WHEN " + f + " THEN 1 WHEN NOT regexp_full_match(" + t + ", "
                            + literal(ANY_DECIMAL) + ") THEN 2 WHEN " + exact + " THEN 1 ELSE 3 END", k);
                    l.add(4, "CASE WHEN " + k + " = 1 THEN TRY_CAST(" + t + " AS DECIMAL(38,9)) END", v);
                    echo = t;
                }
                if (missing != null) l.bad(k + " = 0", missing);
                l.bad(k + " = 2", quoteEcho(n + ": not a decimal number", echo));
                l.bad(k + " = 3", quoteEcho(n + ": more than 9 decimal places", echo));
                l.bad(k + " = 1 AND " + v + " IS NULL", quoteEcho(n + ": out of range", echo));
                if (col.nonNegative()) l.bad(v + " < 0", quoteEcho(n + ": negative", echo));
                l.finals.add("CAST(" + v + " AS DECIMAL(38,9)) AS " + n);
            }
            case INSTANT -> {
                String echo;
                String noOffset;
                if (tc == TypeClass.INSTANT) {
                    l.add(3, "CASE WHEN " + c + " IS NULL THEN 0 ELSE 1 END", k);
                    l.add(4, "CAST(" + c + " AS TIMESTAMPTZ)", v);
                    echo = "CAST(" + c + " AS VARCHAR)";
                    noOffset = n + ": no UTC offset";
                } else if (tc == TypeClass.NAIVE_TIMESTAMP) {
                    l.add(3, "CASE WHEN " + c + " IS NULL THEN 0 ELSE " + (zone != null ? 5 : 4) + " END", k);
                    l.add(4, zone == null ? "CAST(NULL AS TIMESTAMPTZ)"
                            : "CASE WHEN " + k + " = 5 THEN " + zone.convert("CAST(" + c + " AS TIMESTAMP)") + " END", v);
                    echo = "CAST(" + c + " AS VARCHAR)";
                    noOffset = n + ": no UTC offset (" + type + " is not adjusted to UTC)";
                } else {
                    l.add(0, textOf(c, tc), t);
                    l.add(3, "CASE WHEN " + t + " IS NULL THEN 0 WHEN regexp_full_match(" + t + ", " + literal(WITH_OFFSET)
                            + ") THEN 1 WHEN regexp_full_match(" + t + ", " + literal(NO_OFFSET) + ") THEN "
                            + (zone != null ? 5 : 4) + " ELSE 2 END", k);
                    String v5 = zone == null ? "" : " WHEN 5 THEN " + zone.convert("TRY_CAST(" + t + " AS TIMESTAMP)");
                    l.add(4, "CASE " + k + " WHEN 1 THEN TRY_CAST(" + t + " AS TIMESTAMPTZ)" + v5 + " END", v);
                    echo = t;
                    noOffset = n + ": no UTC offset in";
                }
                if (missing != null) l.bad(k + " = 0", missing);
                l.bad(k + " = 2", quoteEcho(n + ": not an ISO-8601 instant", echo));
                l.bad(k + " = 4", quoteEcho(noOffset, echo));
                l.bad("(" + k + " = 1 OR " + k + " = 5) AND " + v + " IS NULL", quoteEcho(n + ": not a valid instant", echo));
                // DuckDB keeps instants far beyond the years Java, ISO-8601 text and the outputs can write (a Parquet
                // timestamp of year 12000, or bytes overwritten in a file): such a row is bad here, not a crash when written.
                l.bad(v + " IS NOT NULL AND (" + v + " < TIMESTAMPTZ '0001-01-01 00:00:00+00' OR " + v
                        + " > TIMESTAMPTZ '9999-12-31 23:59:59.999999+00')", quoteEcho(n + ": year outside 0001-9999 in", echo));
                l.finals.add("CAST(" + v + " AS TIMESTAMPTZ) AS " + n);
            }
            case OUTCOME -> {
                l.add(0, "lower(" + textOf(c, tc) + ")", t);
                l.add(3, "CASE WHEN " + t + " IS NULL THEN 0 WHEN " + t + " IN ('charged', 'denied') THEN 1 ELSE 2 END", k);
                if (missing != null) l.bad(k + " = 0", missing);
                l.bad(k + " = 2", quoteEcho(n + ": must be charged or denied, got", t));
                l.finals.add("CAST(CASE WHEN " + k + " = 1 THEN " + t + " END AS VARCHAR) AS " + n);
            }
            case CURRENCY -> {
                l.add(0, "upper(" + textOf(c, tc) + ")", t);
                l.add(3, "CASE WHEN " + t + " IS NULL THEN 0 WHEN regexp_full_match(" + t + ", '[A-Z]{3}') THEN 1 ELSE 2 END", k);
                if (missing != null) l.bad(k + " = 0", missing);
                l.bad(k + " = 2", quoteEcho(n + ": not an ISO 4217 currency code", t));
                l.finals.add("CAST(CASE WHEN " + k + " = 1 THEN " + t + " END AS VARCHAR) AS " + n);
            }
            case INTEGER -> {
                String echo;
                if (tc == TypeClass.INTEGER) {
                    l.add(3, "CASE WHEN " + c + " IS NULL THEN 0 ELSE 1 END", k);
                    l.add(4, "TRY_CAST(" + c + " AS INTEGER)", v);
                    echo = "CAST(" + c + " AS VARCHAR)";
                } else {
                    l.add(0, textOf(c, tc), t);
                    l.add(3, "CASE WHEN " + t + " IS NULL THEN 0 WHEN regexp_full_match(" + t + ", " + literal(INTEGER_TEXT)
                            + ") THEN 1 ELSE 2 END", k);
                    l.add(4, "CASE WHEN " + k + " = 1 THEN TRY_CAST(regexp_extract(" + t + ", '^[+-]?[0-9]+') AS INTEGER) END", v);
                    echo = t;
                }
                if (missing != null) l.bad(k + " = 0", missing);
                l.bad(k + " = 2", quoteEcho(n + ": not an integer", echo));
                l.bad(k + " = 1 AND " + v + " IS NULL", quoteEcho(n + ": integer out of range", echo));
                l.finals.add("CAST(" + v + " AS INTEGER) AS " + n);
            }
            case DIMENSIONS -> {
                if (tc == TypeClass.MAP) {
                    l.add(3, "CASE WHEN " + c + " IS NULL THEN 0 ELSE 1 END", k);
                    String entries = "list_filter(list_transform(map_entries(" + c + "), lambda x: {'key': CAST(x.key AS VARCHAR), "
                            + "'value': CAST(x.value AS VARCHAR)}), lambda x: x.value IS NOT NULL)";
                    String fast = type.toUpperCase(Locale.ROOT).replace(" ", "").equals("MAP(VARCHAR,VARCHAR)")
                            ? " WHEN list_sort(list_distinct(map_keys(" + c + "))) = map_keys(" + c + ") AND list_aggregate(map_values("
                                    + c + "), 'count') = cardinality(" + c + ") THEN CAST(to_json(" + c + ") AS VARCHAR)"
                            : "";
                    l.finals.add("CAST(CASE WHEN " + c + " IS NULL OR cardinality(" + c + ") = 0 THEN NULL" + fast + " ELSE "
                            + canonical(entries) + " END AS VARCHAR) AS " + n);
                } else {
                    String fast = "fast_" + n, keys = "keys_" + n, canon = "canon_" + n, mp = "mp_" + n;
                    l.add(0, textOf(c, tc), t);
                    l.add(1, "regexp_full_match(" + t + ", " + literal(SIMPLE_JSON_OBJECT) + ")", fast);
                    l.add(2, "CASE WHEN " + fast + " THEN json_keys(" + t + ") END", keys);
                    l.add(3, "CASE WHEN " + fast + " AND list_sort(list_distinct(" + keys + ")) = " + keys + " THEN true ELSE false END", canon);
                    l.add(4, "CASE WHEN " + t + " IS NULL OR " + canon + " THEN NULL WHEN NOT json_valid(" + t + ") THEN NULL "
                            + "WHEN json_type(" + t + ") <> 'OBJECT' THEN NULL "
                            // contracts section 1: a map of string to string. A number or boolean value is kept as its text (as
                            // before); an object or array value is a bad row, not JSON text by guess.
                            + "WHEN NOT coalesce(list_bool_and(list_transform(json_extract(" + t + ", '$.*'), lambda x: json_type(x) NOT IN ('OBJECT', 'ARRAY'))), true) "
                            + "THEN NULL ELSE json_transform(" + t + ", '\"MAP(VARCHAR, VARCHAR)\"') END", mp);
                    l.add(5, "CASE WHEN " + t + " IS NULL THEN 0 WHEN " + canon + " THEN 1 WHEN " + mp + " IS NULL THEN 2 ELSE 1 END", k);
                    l.bad(k + " = 2", quoteEcho(n + ": not a JSON object of string values", t));
                    l.finals.add("CAST(CASE WHEN " + canon + " THEN NULLIF(CAST(json(" + t + ") AS VARCHAR), '{}') WHEN " + mp
                            + " IS NOT NULL THEN " + canonical("list_filter(map_entries(" + mp + "), lambda x: x.value IS NOT NULL)")
                            + " END AS VARCHAR) AS " + n);
                }
                if (missing != null) l.bad(k + " = 0", missing);
            }
        }
    }
}
