package dev.attest.io.duck;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One DuckDB connection set up the way Attest needs it: no extension downloads (known extensions may
 * autoload from the bundled build), the session time zone pinned to UTC (so nothing is ever read in a
 * local zone by accident) and one worker thread per available core. Closing it closes the connection.
 */
public final class Duck implements AutoCloseable {
    /** System property: DuckDB's memory limit for every database Attest opens (e.g. 4GB); unset: {@link #DEFAULT_MEMORY}. */
    public static final String MEMORY_PROPERTY = "attest.duckdb.memory";

    /**
     * DuckDB's memory limit when {@link #MEMORY_PROPERTY} is unset: 2 GiB, or 80% of the machine's memory when that is
     * less. DuckDB's own default (80% of RAM) let a 10M-event audit reach 10 GB of resident memory holding caches it did
     * not need; the passes are built to stream and to spill beyond their limit, and a larger limit is one setting away.
     */
    public static final long DEFAULT_MEMORY = 2_048L << 20;

    /** The memory limit, in bytes, that databases opened now get. */
    public static long memoryLimitBytes() {
        String memory = System.getProperty(MEMORY_PROPERTY);
        if (memory == null || memory.isBlank()) return defaultMemory();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt])(i?)b").matcher(memory.trim());
        if (!m.matches()) return defaultMemory();
        double unit = Math.pow(m.group(3).isEmpty() ? 1000 : 1024, "kmgt".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        return (long) (Double.parseDouble(m.group(1)) * unit);
    }

    private static long defaultMemory() {
        long physical = java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : Long.MAX_VALUE;
        return Math.min(DEFAULT_MEMORY, physical / 5 * 4);
    }

    private final Connection connection;
    private final String location;
    private final boolean owned;

    private Duck(Connection connection, String location, boolean owned) {
        this.connection = connection;
        this.location = location;
        this.owned = owned;
    }

    /**
     * Uses a connection opened elsewhere, without taking ownership: {@link #close()} leaves it open.
     * Pins its session time zone to UTC, which Attest's SQL relies on.
     */
    public static Duck wrap(Connection connection) {
        Duck duck = new Duck(connection, "(given connection)", false);
        duck.execute("SET TimeZone='UTC'");
        return duck;
    }

    /** A private in-memory database. */
    public static Duck inMemory() {
        return open("jdbc:duckdb:", ":memory:");
    }

    /**
     * A database file (created if absent); useful when data is larger than memory, and what lets a restarted job
     * step find the tables of the steps before it. Closing it does not checkpoint: every commit is already durable
     * (large inserts are written to the file's blocks as they go, the write-ahead log references them and is
     * replayed in milliseconds on the next open), and the checkpoint only re-organised work files that are deleted
     * with the run. Measured per 1M events: the close of the staging step took 0.9-1.0 s, of the rating step 0.9-1.1 s.
     */
    public static Duck open(Path file) {
        Duck duck = open("jdbc:duckdb:" + file.toAbsolutePath(), file.toAbsolutePath().toString());
        try {
            duck.execute("PRAGMA disable_checkpoint_on_shutdown");
        } catch (RuntimeException e) {
            duck.close();
            throw e;
        }
        return duck;
    }

    private static Duck open(String url, String location) {
        Connection c;
        try {
            // Stream results: the rating pass reads a sorted join of every event; materialising it first
            // would hold a second copy before the first batch reaches Java.
            java.util.Properties props = new java.util.Properties();
            props.setProperty("jdbc_stream_results", "true");
            c = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open DuckDB at " + location + ": " + e.getMessage(), e);
        }
        Duck duck = new Duck(c, location, true);
        try {
            duck.execute("SET autoinstall_known_extensions=false");
            duck.execute("SET autoload_known_extensions=true");
            duck.execute("SET TimeZone='UTC'");
            duck.execute("SET threads=" + Math.max(1, Runtime.getRuntime().availableProcessors()));
            // DuckDB spills beyond its limit (sorts, joins, aggregates) to a temporary folder beside the database:
            // -Dattest.duckdb.memory=4GB sets the limit, DEFAULT_MEMORY without it.
            String memory = System.getProperty(MEMORY_PROPERTY);
            if (memory != null && !memory.isBlank()) {
                if (!memory.trim().matches("(?i)[0-9]+(\\.[0-9]+)?\\s*[kmgt]i?b"))
                    throw new IllegalArgumentException("-D" + MEMORY_PROPERTY + " must be a size such as 4GB or 512MB, got '" + memory + "'");
                duck.execute("SET memory_limit=" + literal(memory.trim()));
            } else {
                duck.execute("SET memory_limit=" + literal((defaultMemory() >> 20) + "MiB"));
            }
        } catch (RuntimeException e) {
            duck.close();
            throw e;
        }
        return duck;
    }

    public Connection connection() {
        return connection;
    }

    public String location() {
        return location;
    }

    /** The database file, or null for an in-memory database or a connection opened elsewhere. */
    public Path file() {
        return owned && !location.startsWith(":") ? Path.of(location) : null;
    }

    /** Drops the table or view of that name, if any (a failed earlier attempt may have left either). */
    public void dropRelation(String name) {
        String type = (String) queryValue("SELECT any_value(table_type) FROM information_schema.tables WHERE table_schema = current_schema() "
                + "AND table_catalog = current_database() AND table_name = " + literal(name));
        if (type != null) execute("DROP " + ("VIEW".equals(type) ? "VIEW " : "TABLE ") + ident(name));
    }

    /**
     * Runs {@code work} with DuckDB's optimizer rule {@code optimizer} switched off on this connection, then on again. For
     * a statement whose plan the query states better than the rule would choose (e.g. which side of a join to hash).
     */
    public void withoutOptimizer(String optimizer, Runnable work) {
        execute("SET disabled_optimizers = " + literal(optimizer));
        try {
            work.run();
        } finally {
            execute("RESET disabled_optimizers");
        }
    }

    /** Runs one statement that returns no rows. */
    public void execute(String sql) {
        long t0 = System.nanoTime();
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new DuckException(sql, e);
        } finally {
            trace(t0, sql);
        }
    }

    private static final boolean TRACE = Boolean.getBoolean("attest.sql.trace");

    /** With -Dattest.sql.trace=true, statements of 20 ms or more are timed on standard error (for tuning). */
    private static void trace(long t0, String sql) {
        if (!TRACE) return;
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (ms < 20) return;
        String oneLine = sql.replaceAll("\\s+", " ");
        System.err.printf("TRACE sql %6d ms  %s%n", ms, Boolean.getBoolean("attest.sql.trace.full") ? oneLine : oneLine.substring(0, Math.min(160, oneLine.length())));
    }

    /** First column of the first row as a long (0 when the result is NULL). */
    public long queryLong(String sql) {
        Object o = queryValue(sql);
        return o == null ? 0L : ((Number) o).longValue();
    }

    /** First column of the first row as text, or null. */
    public String queryString(String sql) {
        Object o = queryValue(sql);
        return o == null ? null : o.toString();
    }

    /** First column of the first row, or null when there is no row. */
    public Object queryValue(String sql) {
        long t0 = System.nanoTime();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        } catch (SQLException e) {
            throw new DuckException(sql, e);
        } finally {
            trace(t0, sql);
        }
    }

    /** All rows as ordered column-name to value maps. For small results only. */
    public List<Map<String, Object>> queryRows(String sql) {
        long t0 = System.nanoTime();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) row.put(md.getColumnLabel(i), rs.getObject(i));
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new DuckException(sql, e);
        } finally {
            trace(t0, sql);
        }
    }

    /**
     * A SQL string literal. This class builds every SQL literal and identifier of Attest ({@link #literal(java.time.Instant)},
     * {@link #ident}): no other code quotes by hand.
     */
    public static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A SQL TIMESTAMPTZ literal of an instant (ISO-8601, UTC, every fractional digit kept). */
    public static String literal(java.time.Instant t) {
        return "TIMESTAMPTZ " + literal(t.toString());
    }

    /**
     * SQL for a key of a quarantined row's {@code raw} text. A JSON Lines line that is not JSON at all (or a truncated
     * object) is quarantined as it was read, so {@code raw} is not always JSON: json_extract on it would fail the whole
     * query. Such a line gives the key's string value when it can be read off the text, else NULL.
     */
    public static String rawKey(String rawExpr, String key) {
        return "CASE WHEN json_valid(" + rawExpr + ") THEN json_extract_string(" + rawExpr + ", " + literal("$." + key) + ") "
                + "ELSE NULLIF(regexp_extract(" + rawExpr + ", " + literal("\"" + key + "\"\\s*:\\s*\"([^\"\\\\]*)\"") + ", 1), '') END";
    }

    /** A text cell a spreadsheet would run as a formula: it starts with =, +, -, @, tab or carriage return. */
    static final String FORMULA_START = "^[=+\\-@\\t\\r]";
    /** Text that is a plain number (-1.50, +3, 1e5): a spreadsheet reads it as that number, never a formula; kept as it is. */
    static final String PLAIN_NUMBER = "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?";

    /**
     * Writes a query's rows to a CSV file (header, comma, double quotes) that is safe to open in a spreadsheet: every
     * text cell that starts with =, +, -, @, tab or carriage return gets a leading single quote (OWASP's advice against
     * CSV formula injection), unless it is a plain number such as -1.50. Number, date and other typed columns are
     * written as they are. The Parquet outputs keep every value exactly.
     */
    public void copyCsv(String select, Path file) {
        List<String> cols = new ArrayList<>();
        boolean any = false;
        for (Map<String, Object> r : queryRows("DESCRIBE " + select)) {
            String name = (String) r.get("column_name");
            String type = String.valueOf(r.get("column_type"));
            if (type.equals("VARCHAR")) {
                any = true;
                String c = ident(name);
                cols.add("CASE WHEN regexp_matches(" + c + ", " + literal(FORMULA_START) + ") AND NOT regexp_full_match(" + c + ", "
                        + literal(PLAIN_NUMBER) + ") THEN '''' || " + c + " ELSE " + c + " END AS " + c);
            } else {
                cols.add(ident(name));
            }
        }
        String safe = any ? "SELECT " + String.join(", ", cols) + " FROM (" + select + ") AS __csv" : select;
        execute("COPY (" + safe + ") TO " + literal(file.toString()) + " (FORMAT csv, HEADER true)");
    }

    /** A quoted SQL identifier. */
    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        if (!owned) return;
        long t0 = System.nanoTime();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close DuckDB at " + location + ": " + e.getMessage(), e);
        } finally {
            trace(t0, "(close " + location + ")");
        }
    }

    /** A failed statement: carries DuckDB's own message. */
    public static final class DuckException extends RuntimeException {
        private final String sql;

        public DuckException(String sql, SQLException cause) {
            super(cause.getMessage(), cause);
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }
}
