package dev.attest.io.input;

import static dev.attest.io.duck.Duck.ident;
import static dev.attest.io.duck.Duck.literal;

import dev.attest.io.duck.Duck;
import dev.attest.io.input.Contract.Column;
import dev.attest.io.input.InputException.Code;
import dev.attest.io.input.InputFiles.DataFile;
import dev.attest.io.input.InputFiles.Format;
import dev.attest.io.input.StagingReport.FileRead;
import dev.attest.io.input.StagingReport.InputReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the events and decisions inputs into DuckDB tables, validating every row in SQL (no per-row Java).
 *
 * <p>Tables it (re)creates:
 * <pre>
 * events(event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, quantity DECIMAL(38,9), event_time TIMESTAMPTZ,
 *        ingested_at TIMESTAMPTZ, value DECIMAL(38,9), dimensions VARCHAR, src_file VARCHAR, src_row BIGINT)
 * events_unique(... the columns of events ..., deliveries INTEGER)
 * event_conflicts(event_id VARCHAR, variants INTEGER, "rows" INTEGER, customer_id VARCHAR, meter VARCHAR,
 *                 event_time TIMESTAMPTZ, src_files VARCHAR)
 * decisions(decision_id VARCHAR, event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, outcome VARCHAR,
 *           amount DECIMAL(38,9), currency VARCHAR, price_policy_id VARCHAR, price_version INTEGER,
 *           discount_policy_id VARCHAR, discount_version INTEGER, entitlement_policy_id VARCHAR,
 *           entitlement_version INTEGER, decided_at TIMESTAMPTZ, invoice_id VARCHAR, src_file VARCHAR, src_row BIGINT)
 * quarantine(input VARCHAR, src_file VARCHAR, src_row BIGINT, reason VARCHAR, raw VARCHAR)
 * </pre>
 */
public final class InputStager {
    private static final Logger log = LoggerFactory.getLogger(InputStager.class);

    public static final String EVENTS_DDL = "event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, quantity DECIMAL(38,9), "
            + "event_time TIMESTAMPTZ, ingested_at TIMESTAMPTZ, value DECIMAL(38,9), dimensions VARCHAR, src_file VARCHAR, src_row BIGINT";
    public static final String DECISIONS_DDL = "decision_id VARCHAR, event_id VARCHAR, customer_id VARCHAR, meter VARCHAR, "
            + "outcome VARCHAR, amount DECIMAL(38,9), currency VARCHAR, price_policy_id VARCHAR, price_version INTEGER, "
            + "discount_policy_id VARCHAR, discount_version INTEGER, entitlement_policy_id VARCHAR, entitlement_version INTEGER, "
            + "decided_at TIMESTAMPTZ, invoice_id VARCHAR, src_file VARCHAR, src_row BIGINT";
    public static final String QUARANTINE_DDL = "input VARCHAR, src_file VARCHAR, src_row BIGINT, reason VARCHAR, raw VARCHAR";
    public static final String DELIVERIES_DDL = "event_id VARCHAR, deliveries INTEGER, variants INTEGER, first_file VARCHAR, "
            + "first_row BIGINT, customer_id VARCHAR, meter VARCHAR, event_time TIMESTAMPTZ, src_files VARCHAR";
    public static final String CONFLICTS_DDL = "event_id VARCHAR, variants INTEGER, \"rows\" INTEGER, customer_id VARCHAR, "
            + "meter VARCHAR, event_time TIMESTAMPTZ, src_files VARCHAR";

    /** The contract's CSV: comma, double quotes, a header row; pinned so the sniffer never guesses another header. */
    private static final String CSV_OPTIONS = ", all_varchar=true, header=true, skip=0, delim=',', quote='\"', escape='\"', "
            + "hive_partitioning=false";
    private static final String FILE_COL = "__attest_file";
    private static final String JSON_LINES = ", columns={'line': 'VARCHAR'}, header=false, delim='\\x01', quote='', escape='', "
            + "auto_detect=false, max_line_size=67108864";

    private final Duck duck;
    /** Where the staged rows go as Parquet files (views over them in the database), or null: tables in the database. */
    private java.nio.file.Path stagedDir;
    private static final boolean TRACE = Boolean.getBoolean("attest.stage.trace");

    private void exec(String what, String sql) {
        if (System.getProperty("attest.stage.dump") != null) {
            try {
                Files.writeString(java.nio.file.Path.of(System.getProperty("attest.stage.dump") + "-" + what.replace(' ', '_') + ".sql"), sql);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        long t0 = System.nanoTime();
        duck.execute(sql);
        if (TRACE) System.err.printf("TRACE %-28s %6d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
    }

    public InputStager(Duck duck) {
        this.duck = duck;
    }

    /**
     * Keeps the staged rows in zstd Parquet files in {@code dir} ({@code events.parquet}, {@code decisions.parquet}) and
     * makes {@code events} and {@code decisions} views over them, instead of tables in the database. DuckDB's own format
     * holds these rows in about 2.5 times the room zstd Parquet needs (567 MB against 248 MB at 10M events), and the
     * staged copy was most of a run's work folder. The views give the same rows, columns and order as the tables.
     */
    public InputStager toFiles(java.nio.file.Path dir) {
        this.stagedDir = dir;
        return this;
    }

    /** Stages into a connection opened elsewhere (its session time zone is set to UTC). */
    public InputStager(Connection connection) {
        this(Duck.wrap(connection));
    }

    /** A source segment: one query yielding the common column layout RowParser expects. */
    private record Segment(String sql, List<String> types, String rawExpr, List<DataFile> files, String prepare, String temp,
                           String rejects, boolean readsEvents) {
        Segment(String sql, List<String> types, String rawExpr, List<DataFile> files) {
            this(sql, types, rawExpr, files, null, null, null, false);
        }

        Segment(String sql, List<String> types, String rawExpr, List<DataFile> files, String prepare, String temp) {
            this(sql, types, rawExpr, files, prepare, temp, null, false);
        }

        Segment(String sql, List<String> types, String rawExpr, List<DataFile> files, String prepare, String temp, String rejects) {
            this(sql, types, rawExpr, files, prepare, temp, rejects, false);
        }
    }

    private record Plan(String input, List<Column> columns, InputSource source, List<DataFile> files,
                        List<Segment> segments, List<String> floating, List<InputSelection.Skipped> skipped) {}

    /**
     * Stages both inputs. Every file is found and its columns checked before any table is written.
     *
     * @param events     the usage events, or null for none (empty tables)
     * @param decisions  the live decisions, or null for none (empty table)
     * @param assumeZone java ZoneId for timestamps without offset (e.g. "America/New_York"), or null: then such
     *                   timestamps are bad rows
     */
    public StagingReport stage(InputSource events, InputSource decisions, String assumeZone) {
        return stage(events, decisions, assumeZone, ScanBounds.ALL);
    }

    /**
     * As {@link #stage(InputSource, InputSource, String)}, reading only what {@code bounds} can need: files whose date
     * partition lies outside are skipped (and reported), Parquet scans skip row groups by their statistics on the
     * native time column, and rows read outside the bounds are kept (the passes' own scopes ignore them). Decisions
     * whose event_id is not among the events read are looked up, by id only, in the skipped event files: those found
     * go to table {@code events_elsewhere(event_id)}, so that a decision of an event outside the scope is not an orphan.
     */
    public StagingReport stage(InputSource events, InputSource decisions, String assumeZone, ScanBounds bounds) {
        RowParser.Zone zone = zone(assumeZone);
        Plan ev = events == null ? null : plan("events", Contract.EVENTS, events, bounds);
        Plan de = decisions == null ? null : plan("decisions", Contract.DECISIONS, decisions, bounds);

        ExecutorService hasher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "attest-sha256");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<String>> hashes = new HashMap<>();
            for (Plan p : new Plan[] {ev, de}) {
                if (p == null) continue;
                for (DataFile f : p.files()) hashes.computeIfAbsent(f.name(), k -> hasher.submit(() -> InputFiles.sha256(f.path())));
            }
            if (stagedDir != null) {
                try {
                    Files.createDirectories(stagedDir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create " + stagedDir, e);
                }
            }
            duck.execute("CREATE OR REPLACE TABLE quarantine (" + QUARANTINE_DDL + ")");
            duck.dropRelation("decisions");
            duck.dropRelation("events");
            duck.execute("DROP TABLE IF EXISTS " + DECISION_DROPS);
            for (String t : List.of(excluded("events"), excluded("decisions"), READ_IN_PLACE)) duck.execute("DROP TABLE IF EXISTS " + t);
            direct.clear();
            duck.execute("CREATE OR REPLACE TABLE events (" + EVENTS_DDL + ")");
            duck.execute("DROP VIEW IF EXISTS events_unique");
            duck.execute("CREATE OR REPLACE TABLE event_deliveries (" + DELIVERIES_DDL + ")");
            duck.execute("CREATE OR REPLACE VIEW events_unique AS SELECT *, CAST(1 AS INTEGER) AS deliveries FROM events");
            duck.execute("CREATE OR REPLACE TABLE event_conflicts (" + CONFLICTS_DDL + ")");
            duck.execute("CREATE OR REPLACE TABLE decisions (" + DECISIONS_DDL + ")");
            InputReport er = ev == null ? empty("events") : stageEvents(ev, zone, hashes);
            InputReport dr = de == null ? empty("decisions") : stageDecisions(de, zone, hashes);
            lookUpEventsElsewhere(ev);
            return new StagingReport(er, dr);
        } finally {
            hasher.shutdownNow();
        }
    }

    /**
     * What has arrived, read exactly as {@link #stage} reads it (the same files, SQL with its trailing {@code ;}
     * stripped, pinned CSV options, JSON Lines line by line, {@code assumeZone} for timestamps without an offset),
     * for near-real-time passes that must see the rows the audit will see (issue 16, item 9). Creates two temp tables
     * of the rows staging would accept (quarantined rows are left out; nothing is hashed or deduplicated):
     * <pre>
     * arrival_events(event_id VARCHAR, customer_id VARCHAR, event_time TIMESTAMPTZ, ingested_at TIMESTAMPTZ, src_file VARCHAR)
     * arrival_decisions(decision_id VARCHAR, event_id VARCHAR, customer_id VARCHAR, decided_at TIMESTAMPTZ, src_file VARCHAR)
     * </pre>
     * {@code src_file} is the file's name as {@link InputFiles#resolve} gives it ('sql' for a SQL input).
     *
     * @throws InputException as staging would (a missing file or column, a failing query, an unreadable file)
     */
    public void stageArrivals(InputSource events, InputSource decisions, String assumeZone) {
        RowParser.Zone zone = zone(assumeZone);
        Plan ev = plan("events", Contract.EVENTS, events, ScanBounds.ALL);
        Plan de = plan("decisions", Contract.DECISIONS, decisions, ScanBounds.ALL);
        String e = stageTable(ev, zone, false);
        try {
            exec("arrival events", "CREATE OR REPLACE TEMP TABLE arrival_events AS SELECT event_id, customer_id, event_time, ingested_at, src_file "
                    + "FROM " + e + " WHERE reason IS NULL");
        } finally {
            duck.dropRelation(e);
        }
        String d = stageTable(de, zone, false);
        try {
            exec("arrival decisions", "CREATE OR REPLACE TEMP TABLE arrival_decisions AS SELECT decision_id, event_id, customer_id, decided_at, "
                    + "src_file FROM " + d + " WHERE reason IS NULL");
        } finally {
            duck.dropRelation(d);
        }
    }

    /**
     * Decisions whose event_id is among no events read: look the ids up in the event files the bounds skipped, reading
     * only their event_id column. Table {@code events_elsewhere} holds the ids found (empty without skipped files).
     */
    private void lookUpEventsElsewhere(Plan events) {
        exec("events_elsewhere", "CREATE OR REPLACE TABLE events_elsewhere (event_id VARCHAR)");
        if (events == null || events.skipped().isEmpty()) return;
        exec("lookup ids", "CREATE OR REPLACE TEMP TABLE __attest_lookup AS SELECT DISTINCT d.event_id FROM decisions d "
                + "WHERE d.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = d.event_id) "
                + "AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.input = 'events' AND " + Duck.rawKey("q.raw", "event_id") + " = d.event_id)");
        try {
            if (duck.queryLong("SELECT count(*) FROM __attest_lookup") == 0) return;
            List<String> reads = new ArrayList<>();
            for (InputSelection.Skipped s : events.skipped()) {
                String f = literal(s.path());
                Format format = InputFiles.formatOf(java.nio.file.Path.of(s.path()).getFileName().toString());
                if (format == Format.PARQUET)
                    reads.add("SELECT CAST(event_id AS VARCHAR) AS event_id FROM read_parquet(" + f + ", hive_partitioning=false)");
                else if (format == Format.CSV)
                    reads.add("SELECT event_id FROM read_csv(" + f + CSV_OPTIONS + ")");
                else
                    reads.add("SELECT json_extract_string(line, '$.event_id') AS event_id FROM read_csv(" + f + JSON_LINES
                            + ") WHERE json_valid(line)");
            }
            exec("lookup events", "INSERT INTO events_elsewhere SELECT DISTINCT event_id FROM (" + String.join(" UNION ALL ", reads)
                    + ") WHERE event_id IN (SELECT event_id FROM __attest_lookup) ORDER BY event_id");
        } catch (Duck.DuckException e) {
            throw new InputException(Code.UNREADABLE, "events input: cannot look up the events of decisions in the files outside the "
                    + "audit's scope: " + e.getMessage(), e);
        } finally {
            duck.execute("DROP TABLE IF EXISTS __attest_lookup");
        }
    }

    /** Table of the decision rows (src_file, src_row) a file-staged decisions view leaves out as repeated deliveries. */
    private static final String DECISION_DROPS = "decision_drops";

    private java.nio.file.Path stagedFile(String input) {
        return stagedDir.resolve(input + ".parquet").toAbsolutePath();
    }

    private static InputReport empty(String input) {
        return new InputReport(input, "none", null, List.of(), 0, 0, 0, 0, 0, 0, List.of());
    }

    // ---------------------------------------------------------------- planning (no data is written)

    private RowParser.Zone zone(String assumeZone) {
        if (assumeZone == null || assumeZone.isBlank()) return null;
        ZoneId id;
        try {
            id = ZoneId.of(assumeZone.trim()).normalized();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("unknown time zone '" + assumeZone + "': " + e.getMessage(), e);
        }
        if (id instanceof ZoneOffset off) return new RowParser.Zone(null, off.getId().equals("Z") ? "+00:00" : off.getId());
        long known = duck.queryLong("SELECT count(*) FROM pg_timezone_names() WHERE name = " + literal(id.getId()));
        if (known == 0) throw new IllegalArgumentException("time zone '" + assumeZone + "' is not known to DuckDB");
        return new RowParser.Zone(id.getId(), null);
    }

    private Plan plan(String input, List<Column> columns, InputSource source, ScanBounds bounds) {
        List<String> floating = new ArrayList<>();
        if (source instanceof InputSource.Sql sql) {
            String query = sql.query().trim().replaceAll(";+\\s*$", "");
            String from = "query(" + literal(query) + ")";
            List<String[]> schema;
            try {
                schema = describe("SELECT * FROM " + from);
            } catch (Duck.DuckException e) {
                throw new InputException(Code.BAD_SQL, input + " input: the SQL query fails: " + e.getMessage(), e);
            }
            Map<String, String[]> byName = byName(schema);
            List<String> exprs = new ArrayList<>(), types = new ArrayList<>(), missing = new ArrayList<>();
            for (Column c : columns) {
                String[] col = byName.get(c.name());
                if (col == null) {
                    if (c.required()) missing.add(c.name());
                    exprs.add("CAST(NULL AS VARCHAR)");
                    types.add("VARCHAR");
                } else {
                    exprs.add("__t." + ident(col[0]));
                    types.add(col[1]);
                }
            }
            if (!missing.isEmpty())
                throw new InputException(Code.MISSING_COLUMN, input + " input: the SQL query has no column " + names(missing)
                        + " (required by the contract)");
            String temp = "__attest_sql_" + input;
            String l1 = "SELECT 'sql' AS src_file, __t.rowid + 1 AS src_row, __t AS __row, CAST(NULL AS VARCHAR) AS __bad_line, "
                    + selectList(columns, exprs) + " FROM " + temp + " AS __t";
            String raw = "to_json(__row)";
            Segment seg = new Segment(l1, types, raw, List.of(), "CREATE OR REPLACE TEMP TABLE " + temp + " AS " + query, temp);
            noteFloating(columns, types, floating);
            return new Plan(input, columns, source, List.of(), List.of(seg), floating, List.of());
        }
        String spec = ((InputSource.Files) source).path();
        InputSelection.Selection selection = InputSelection.select(input, spec, bounds.from(input), bounds.to(input));
        List<DataFile> files = selection.read();
        String timeColumn = "events".equals(input) ? "event_time" : "decided_at";
        List<Segment> segments = new ArrayList<>();
        Map<String, List<DataFile>> parquetGroups = new LinkedHashMap<>();
        Map<String, Segment> parquetTemplates = new HashMap<>();
        for (DataFile f : files) {
            if (size(f) == 0) {
                // A file named on its own that holds nothing has no header, so none of the required columns: bad input, as
                // for a missing column. Inside a folder or a glob an empty part file is normal: 0 rows, still listed and
                // hashed, and the run summary notes it.
                if (!InputFiles.isGlob(spec) && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(spec)))
                    throw new InputException(Code.MISSING_COLUMN, input + " input: file " + f.name() + " is empty (0 bytes): it has no "
                            + "header and none of the required columns " + names(columns.stream().filter(Column::required).map(Column::name).toList()));
                continue;
            }
            switch (f.format()) {
                case PARQUET -> {
                    List<String[]> schema = describeFile(input, f, "SELECT * FROM read_parquet(" + literal(f.name()) + ", hive_partitioning=false)");
                    Map<String, String> hive = InputFiles.hivePairs(f.path());
                    String key = schema.stream().map(s -> s[0] + ":" + s[1]).collect(Collectors.joining(","))
                            + "|" + String.join(",", columnsFromHive(columns, byName(schema), hive))
                            + (afterEvents(input, f, bounds) ? "|after" : "");
                    Segment template = fileSegment(input, columns, f, schema, hive, "__t." + ident(FILE_COL));
                    parquetGroups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
                    parquetTemplates.putIfAbsent(key, template);
                }
                case CSV -> {
                    // The header is read here and the dialect pinned (no sniffing): one bad row (a byte that is not UTF-8,
                    // an unterminated quote, too many fields) then goes to quarantine with its row number instead of
                    // failing the whole file. Compressed files are sniffed as before.
                    List<String> header = InputFiles.csvHeader(f.path());
                    String rejects = null;
                    String read;
                    List<String[]> schema;
                    if (header == null) {
                        read = "read_csv(" + literal(f.name()) + CSV_OPTIONS + ")";
                        schema = describeFile(input, f, "SELECT * FROM " + read);
                    } else {
                        rejects = "__attest_rejects_" + input + "_" + segments.size();
                        List<String> names = dedupe(header);
                        schema = names.stream().map(h -> new String[] {h, "VARCHAR"}).toList();
                        String cols = names.stream().map(h -> literal(h) + ": 'VARCHAR'").collect(Collectors.joining(", ", "{", "}"));
                        read = "read_csv(" + literal(f.name()) + CSV_OPTIONS + ", auto_detect=false, columns=" + cols
                                + ", store_rejects=true, rejects_table=" + literal(rejects) + ", rejects_scan=" + literal(rejects + "_scan") + ")";
                    }
                    Segment t = fileSegment(input, columns, f, schema, InputFiles.hivePairs(f.path()), literal(f.name()));
                    String l1 = "SELECT " + literal(f.name()) + " AS src_file, __t.ordinality AS src_row, __t AS __row, CAST(NULL AS VARCHAR) AS __bad_line, "
                            + t.sql() + " FROM (SELECT * FROM " + read + " WITH ORDINALITY) AS __t";
                    segments.add(new Segment(l1, t.types(), "json_merge_patch(to_json(__row), '{\"ordinality\":null}')", List.of(f),
                            null, null, rejects));
                }
                case JSONL -> segments.add(jsonSegment(input, columns, f));
            }
        }
        for (Map.Entry<String, List<DataFile>> g : parquetGroups.entrySet()) {
            Segment t = parquetTemplates.get(g.getKey());
            String list = g.getValue().stream().map(f -> literal(f.name())).collect(Collectors.joining(", ", "[", "]"));
            String l1 = "SELECT __t." + ident(FILE_COL) + " AS src_file, __t.file_row_number + 1 AS src_row, __t AS __row, CAST(NULL AS VARCHAR) AS __bad_line, "
                    + t.sql() + " FROM read_parquet(" + list + ", filename=" + literal(FILE_COL)
                    + ", file_row_number=true, hive_partitioning=false) AS __t";
            // A native UTC-adjusted time column lets DuckDB skip row groups by their min/max statistics. file_row_number
            // still counts every row of the file, so quarantine keeps naming the true row.
            int tc = columns.indexOf(columns.stream().filter(c -> c.name().equals(timeColumn)).findFirst().orElseThrow());
            String pushdown = "";
            if ("TIMESTAMP WITH TIME ZONE".equals(t.types().get(tc)) && (bounds.from(input) != null || bounds.to(input) != null)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(__t\\.\"(?:[^\"]|\"\")*\") AS c_" + timeColumn + "\\b")
                        .matcher(t.sql());
                String col = m.find() ? m.group(1) : null;
                if (col != null)
                    pushdown = " WHERE " + (bounds.from(input) == null ? "TRUE" : col + " >= " + literal(bounds.from(input).toString()) + "::TIMESTAMPTZ")
                            + (bounds.to(input) == null ? "" : " AND " + col + " < " + literal(bounds.to(input).toString()) + "::TIMESTAMPTZ");
            }
            if (g.getKey().endsWith("|after")) {
                // Decisions of days after every event the audit rates matter only for events it read (a late decision of
                // one of them): only those are staged, so that a day's audit does not parse the months of decisions after it.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(__t\\.\"(?:[^\"]|\"\")*\") AS c_event_id\\b").matcher(t.sql());
                if (m.find())
                    pushdown += (pushdown.isEmpty() ? " WHERE " : " AND ") + "CAST(" + m.group(1) + " AS VARCHAR) IN (SELECT event_id FROM events)";
            }
            String raw = "json_merge_patch(to_json(__row), '{\"" + FILE_COL + "\":null,\"file_row_number\":null}')";
            segments.add(new Segment(l1 + pushdown, t.types(), raw, g.getValue(), null, null, null, g.getKey().endsWith("|after")));
        }
        for (Segment s : segments) noteFloating(columns, s.types(), floating);
        return new Plan(input, columns, source, files, segments, floating.stream().distinct().toList(), selection.skipped());
    }

    /** A decisions file whose date partition starts at or after the end of the events the audit reads. */
    private static boolean afterEvents(String input, DataFile f, ScanBounds bounds) {
        if (!"decisions".equals(input) || bounds.eventsTo() == null) return false;
        java.time.Instant[] range = InputSelection.partitionRange(f.path());
        return range != null && !range[0].isBefore(bounds.eventsTo());
    }

    private static void noteFloating(List<Column> columns, List<String> types, List<String> floating) {
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            if (c.kind() == Contract.Kind.DECIMAL && RowParser.classify(types.get(i)) == RowParser.TypeClass.FLOATING
                    && !floating.contains(c.name())) floating.add(c.name());
        }
    }

    private static long size(DataFile f) {
        try {
            return Files.size(f.path());
        } catch (IOException e) {
            throw new InputException(Code.UNREADABLE, "cannot read " + f.name() + ": " + e.getMessage(), e);
        }
    }

    private static List<String> columnsFromHive(List<Column> columns, Map<String, String[]> byName, Map<String, String> hive) {
        List<String> out = new ArrayList<>();
        for (Column c : columns) if (!byName.containsKey(c.name()) && hive.containsKey(c.name())) out.add(c.name());
        return out;
    }

    /**
     * The contract-column select list of a file with a schema (Parquet, CSV). Hive folder values fill contract
     * columns the file lacks; a column in the file always wins over a folder name.
     */
    private static Segment fileSegment(String input, List<Column> columns, DataFile f, List<String[]> schema,
                                       Map<String, String> hive, String pathExpr) {
        Map<String, String[]> byName = byName(schema);
        List<String> exprs = new ArrayList<>(), types = new ArrayList<>(), missing = new ArrayList<>();
        for (Column c : columns) {
            String[] col = byName.get(c.name());
            if (col != null) {
                exprs.add("__t." + ident(col[0]));
                types.add(col[1]);
            } else if (hive.containsKey(c.name())) {
                exprs.add("NULLIF(NULLIF(regexp_extract(" + pathExpr + ", " + literal("(?i)/" + regexEscape(c.name())
                        + "=([^/]*)/") + ", 1), ''), '__HIVE_DEFAULT_PARTITION__')");
                types.add("VARCHAR");
            } else {
                if (c.required()) missing.add(c.name());
                exprs.add("CAST(NULL AS VARCHAR)");
                types.add("VARCHAR");
            }
        }
        if (!missing.isEmpty())
            throw new InputException(Code.MISSING_COLUMN, input + " input: file " + f.name() + " has no column " + names(missing)
                    + " (required by the contract)");
        return new Segment(selectList(columns, exprs), types, null, List.of(f));
    }

    private Segment jsonSegment(String input, List<Column> columns, DataFile f) {
        String lines = "read_csv(" + literal(f.name()) + JSON_LINES + ")";
        List<String> keys;
        try {
            keys = duck.queryRows("SELECT DISTINCT unnest(json_keys(line)) AS k FROM (SELECT line FROM " + lines
                            + " WHERE line IS NOT NULL AND json_valid(line) AND starts_with(ltrim(line), '{') LIMIT 1000)")
                    .stream().map(r -> (String) r.get("k")).toList();
        } catch (Duck.DuckException e) {
            throw new InputException(Code.UNREADABLE, input + " input: cannot read " + f.name() + ": " + e.getMessage(), e);
        }
        Map<String, String> keyByName = new HashMap<>();
        for (String k : keys) keyByName.putIfAbsent(k.toLowerCase(Locale.ROOT), k);
        for (String k : keys) if (keyByName.containsKey(k)) keyByName.put(k, k); // an exact match wins
        Map<String, String> hive = InputFiles.hivePairs(f.path());
        List<String> missing = new ArrayList<>(), paths = new ArrayList<>(), exprs = new ArrayList<>();
        for (Column c : columns) {
            String key = keyByName.getOrDefault(c.name(), c.name());
            if (!keys.isEmpty() && !keyByName.containsKey(c.name()) && c.required() && !hive.containsKey(c.name())) missing.add(c.name());
            paths.add(literal("$." + jsonQuote(key)));
        }
        if (!missing.isEmpty())
            throw new InputException(Code.MISSING_COLUMN, input + " input: file " + f.name() + " has no column " + names(missing)
                    + " (required by the contract; no such key in its first rows)");
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            String jv = "__j[" + (i + 1) + "]";
            String key = keyByName.getOrDefault(c.name(), c.name());
            String text = "CASE json_type(" + jv + ") WHEN 'VARCHAR' THEN " + jv + "->>'$' WHEN 'NULL' THEN NULL";
            if (c.kind() == Contract.Kind.DECIMAL) {
                // DuckDB renders JSON numbers through a double: take the number's own text from the line.
                String re = "\"" + regexEscape(key) + "\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)";
                text += " WHEN 'DOUBLE' THEN coalesce(list_filter(regexp_extract_all(__row, " + literal(re)
                        + ", 1), lambda x: TRY_CAST(x AS DOUBLE) = TRY_CAST(" + jv + " AS DOUBLE))[1], CAST(" + jv + " AS VARCHAR))";
            }
            text += " ELSE CAST(" + jv + " AS VARCHAR) END";
            if (!keyByName.containsKey(c.name()) && hive.containsKey(c.name()))
                text = "coalesce(" + text + ", " + literal(hive.get(c.name())) + ")";
            exprs.add(text);
        }
        String l1 = "SELECT " + literal(f.name()) + " AS src_file, __ln AS src_row, __row, CASE WHEN NOT __obj THEN "
                + "'line is not a JSON object' END AS __bad_line, "
                + selectList(columns, exprs) + " FROM (SELECT *, CASE WHEN __obj THEN json_extract(__row, [" + String.join(", ", paths)
                + "]) END AS __j FROM (SELECT *, coalesce(json_valid(__row) AND starts_with(ltrim(__row), '{'), false) AS __obj FROM ("
                + "SELECT ordinality AS __ln, rtrim(line, chr(13)) AS __row FROM " + lines + " WITH ORDINALITY) AS __a "
                + "WHERE __row IS NOT NULL AND trim(__row) <> '') AS __b) AS __c";
        List<String> types = columns.stream().map(c -> "VARCHAR").toList();
        return new Segment(l1, types, "__row", List.of(f));
    }

    private static String regexEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if ("\\.^$|?*+()[]{}".indexOf(ch) >= 0) sb.append('\\');
            sb.append(ch);
        }
        return sb.toString();
    }

    private static String jsonQuote(String key) {
        return "\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String selectList(List<Column> columns, List<String> exprs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) out.add(exprs.get(i) + " AS c_" + columns.get(i).name());
        return String.join(", ", out);
    }

    private static String names(List<String> missing) {
        return missing.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
    }

    private static Map<String, String[]> byName(List<String[]> schema) {
        Map<String, String[]> out = new HashMap<>();
        for (String[] s : schema) out.putIfAbsent(s[0].toLowerCase(Locale.ROOT), s);
        for (String[] s : schema) if (out.containsKey(s[0])) out.put(s[0], s); // an exact-case match wins
        return out;
    }

    private List<String[]> describe(String sql) {
        return duck.queryRows("DESCRIBE " + sql).stream()
                .map(r -> new String[] {(String) r.get("column_name"), (String) r.get("column_type")}).toList();
    }

    private List<String[]> describeFile(String input, DataFile f, String sql) {
        try {
            return describe(sql);
        } catch (Duck.DuckException e) {
            throw new InputException(Code.UNREADABLE, input + " input: cannot read " + f.name() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- reading Parquet in place

    /**
     * System property: {@code in-place} (the default) reads a Parquet input in place when every valid row of it is already
     * in the form staging would give it; {@code copy} always stages a copy.
     */
    public static final String INPUTS_PROPERTY = "attest.stage.inputs";

    /** Table of the files read in place: (input, name, path, size, modified_ms), checked by {@link #checkUnchanged}. */
    public static final String READ_IN_PLACE = "inputs_read_in_place";

    /**
     * System property: the average size of an input's files (bytes) below which it is staged as a copy however plain its
     * rows. Every later scan of an input read in place opens all its files again, about 80 us a file: 2,400 files of 4 KB
     * took 0.22 s a scan against 0.02 s from a table, and an audit scans its inputs about twenty times. Default 256 KiB.
     */
    public static final String IN_PLACE_MIN_FILE_BYTES_PROPERTY = "attest.stage.inPlaceMinFileBytes";

    /** Per input read in place: the query of its rows in their files, every row with its src_file and src_row. */
    private final Map<String, String> direct = new HashMap<>();

    /** The table of an input's rows read in place that are not its rows: bad ones, and decisions' repeated deliveries. */
    private static String excluded(String input) {
        return input + "_excluded";
    }

    private boolean copyInputs; // set: every input is staged as a copy, whatever INPUTS_PROPERTY says
    private Long minFileBytes;  // set: wins over IN_PLACE_MIN_FILE_BYTES_PROPERTY

    /** Reads inputs in place from this average file size on (see {@link #IN_PLACE_MIN_FILE_BYTES_PROPERTY}). */
    public InputStager inPlaceFromFileBytes(long bytes) {
        this.minFileBytes = bytes;
        return this;
    }

    /** Stages every input as a copy, as {@code -Dattest.stage.inputs=copy} does. */
    public InputStager copyingInputs() {
        this.copyInputs = true;
        return this;
    }

    private boolean inPlace() {
        if (copyInputs) return false;
        String v = System.getProperty(INPUTS_PROPERTY, "in-place").trim();
        if (v.equals("in-place")) return true;
        if (v.equals("copy")) return false;
        throw new IllegalArgumentException("-D" + INPUTS_PROPERTY + " must be in-place or copy, got '" + v + "'");
    }

    /**
     * Parquet files only (re-reading CSV or JSON Lines parses the text again), not a SQL query (it may not give the same
     * rows twice), and no segment that reads the staged events (decisions after the events' end, kept only for the events read).
     */
    private boolean inPlaceCandidate(Plan p) {
        if (!inPlace() || !(p.source() instanceof InputSource.Files) || p.segments().isEmpty()) return false;
        long bytes = 0, files = 0;
        for (Segment s : p.segments()) {
            if (s.prepare() != null || s.rejects() != null || s.readsEvents()) return false;
            for (DataFile f : s.files()) {
                if (f.format() != Format.PARQUET) return false;
                bytes += size(f);
                files++;
            }
        }
        long min = minFileBytes != null ? minFileBytes : Long.getLong(IN_PLACE_MIN_FILE_BYTES_PROPERTY, 256L << 10);
        if (files > 0 && bytes / files < min) {
            log.info("{}: staged as a copy: its {} files hold {} bytes on average (read in place from {} bytes a file, -D{})", p.input(),
                    files, bytes / files, min, IN_PLACE_MIN_FILE_BYTES_PROPERTY);
            return false;
        }
        return true;
    }

    /**
     * Staging's table writes were its cost, not its validation (docs/performance.md): when every valid row of a Parquet
     * input is, column by column, what a plain cast of the file's value gives (no text to trim, no dimensions to put in
     * canonical form, no other encoding), the input is not copied. One parse of every row proves it and keeps the bad rows;
     * the input's relation is then a view of the plain casts over the files, less the bad rows (the {@link #excluded} table).
     * Returns the table of bad rows (src_file, src_row, reason, raw), or null when a valid row is not in plain form: then the
     * input is staged as a copy, as before. The files' sizes and modification times go to {@link #READ_IN_PLACE}, so that
     * the steps that read them later can tell that they did not change ({@link #checkUnchanged}).
     */
    private String readInPlace(Plan p, RowParser.Zone zone) {
        String table = "__attest_bad_" + p.input(); // a temporary table: dropRelation does not see it
        List<String> checks = new ArrayList<>(), rows = new ArrayList<>();
        List<String> carry = p.columns().stream().map(c -> "__plain_" + c.name()).toList();
        String plain = p.columns().stream().map(c -> "TRY_CAST(c_" + c.name() + " AS " + c.kind().sqlType() + ") AS __plain_" + c.name())
                .collect(Collectors.joining(", "));
        String same = p.columns().stream().map(c -> c.name() + " IS NOT DISTINCT FROM __plain_" + c.name()).collect(Collectors.joining(" AND "));
        String names = p.columns().stream().map(c -> "__plain_" + c.name() + " AS " + c.name()).collect(Collectors.joining(", "));
        for (Segment s : p.segments()) {
            String withPlain = "SELECT *, " + plain + " FROM (" + s.sql() + ") AS __p";
            String parsed = RowParser.build(withPlain, p.columns(), s.types(), zone, s.rawExpr(), new ArrayList<>(), carry);
            checks.add("SELECT src_file, src_row, reason, raw FROM (" + parsed + ") AS __c WHERE reason IS NOT NULL OR NOT (" + same + ")");
            rows.add("SELECT " + names + ", src_file, src_row FROM (" + withPlain + ") AS __q");
        }
        try {
            exec("check " + p.input(), "CREATE OR REPLACE TEMP TABLE " + table + " AS " + String.join(" UNION ALL ", checks));
        } catch (Duck.DuckException e) {
            duck.execute("DROP TABLE IF EXISTS " + table);
            throw unreadable(p, zone, e);
        }
        List<Map<String, Object>> notPlain = duck.queryRows("SELECT src_file, src_row FROM " + table
                + " WHERE reason IS NULL ORDER BY src_file, src_row LIMIT 1");
        if (!notPlain.isEmpty()) {
            log.info("{}: staged as a copy: row {} of {} is valid but not in the form staging gives it", p.input(),
                    notPlain.get(0).get("src_row"), notPlain.get(0).get("src_file"));
            duck.execute("DROP TABLE " + table);
            return null;
        }
        duck.execute("CREATE TABLE IF NOT EXISTS " + READ_IN_PLACE + " (input VARCHAR, name VARCHAR, path VARCHAR, size BIGINT, modified_ms BIGINT)");
        List<String> values = new ArrayList<>(); // one statement for every file: an input may have thousands
        for (DataFile f : p.files()) {
            try {
                values.add("(" + literal(p.input()) + ", " + literal(f.name()) + ", " + literal(f.path().toAbsolutePath().toString())
                        + ", " + Files.size(f.path()) + ", " + Files.getLastModifiedTime(f.path()).toMillis() + ")");
            } catch (IOException e) {
                throw new InputException(Code.UNREADABLE, p.input() + " input: cannot read " + f.name() + ": " + e.getMessage(), e);
            }
        }
        duck.execute("INSERT INTO " + READ_IN_PLACE + " VALUES " + String.join(", ", values));
        direct.put(p.input(), String.join(" UNION ALL ", rows));
        return table;
    }

    /**
     * Fails when a file an earlier step read in place has changed since (size or modification time), naming it: the
     * audit would otherwise rate rows that staging did not validate, hash or count. A run whose inputs changed is a new
     * run (its job identity differs); a restart of this one must see the files it started with. The views name the files
     * as the command did, so a relative name must still lead to the same file (a restart from another folder would not).
     */
    public static void checkUnchanged(Duck duck) {
        if (duck.queryLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = " + literal(READ_IN_PLACE)) == 0) return;
        for (Map<String, Object> r : duck.queryRows("SELECT input, name, path, size, modified_ms FROM " + READ_IN_PLACE + " ORDER BY input, path")) {
            java.nio.file.Path path = java.nio.file.Path.of((String) r.get("path"));
            java.nio.file.Path named = java.nio.file.Path.of((String) r.get("name")).toAbsolutePath();
            if (!named.equals(path))
                throw new InputException(Code.CHANGED, r.get("input") + " input: file " + r.get("name") + " was read in place from " + path
                        + ", and from this working folder it names " + named + "; run the command again from " + path.toString()
                        .substring(0, path.toString().length() - r.get("name").toString().length()).replaceAll("/$", ""));
            String now;
            try {
                long size = Files.size(path), modified = Files.getLastModifiedTime(path).toMillis();
                if (size == ((Number) r.get("size")).longValue() && modified == ((Number) r.get("modified_ms")).longValue()) continue;
                now = "now " + size + " bytes, modified " + java.time.Instant.ofEpochMilli(modified) + "; staged at " + r.get("size")
                        + " bytes, modified " + java.time.Instant.ofEpochMilli(((Number) r.get("modified_ms")).longValue());
            } catch (IOException e) {
                now = "cannot read it now: " + e.getMessage();
            }
            throw new InputException(Code.CHANGED, r.get("input") + " input: file " + path + " changed after staging read it (" + now
                    + "); start a new run over the files as they are now");
        }
    }

    // ---------------------------------------------------------------- staging

    /**
     * Parses an input. Read in place (see {@link #readInPlace}), the returned table holds only its bad rows and the input's
     * rows stay in its files; otherwise it holds every row, bad ones with their reason and raw text.
     */
    private String stageTable(Plan p, RowParser.Zone zone, boolean inPlace) {
        if (inPlace && inPlaceCandidate(p)) {
            String bad = readInPlace(p, zone);
            if (bad != null) return bad;
        }
        String table = "__attest_stage_" + p.input();
        List<String> parts = new ArrayList<>();
        for (Segment s : p.segments())
            parts.add(RowParser.build(s.sql(), p.columns(), s.types(), zone, s.rawExpr(), new ArrayList<>()));
        String cols = p.columns().stream().map(c -> "CAST(NULL AS " + c.kind().sqlType() + ") AS " + c.name())
                .collect(Collectors.joining(", "));
        String union = parts.isEmpty()
                ? "SELECT " + cols + ", CAST(NULL AS VARCHAR) AS src_file, CAST(NULL AS BIGINT) AS src_row, "
                        + "CAST(NULL AS VARCHAR) AS reason, CAST(NULL AS VARCHAR) AS raw WHERE false"
                : parts.stream().map(s -> "(" + s + ")").collect(Collectors.joining(" UNION ALL BY NAME "));
        long t0 = System.nanoTime();
        try {
            for (Segment s : p.segments()) if (s.prepare() != null) exec("prepare " + p.input(), s.prepare());
            if (stagedDir == null) {
                exec("parse " + p.input(), "CREATE OR REPLACE TABLE " + table + " AS " + union);
                for (Segment s : p.segments()) if (s.rejects() != null) quarantineRejects(p, s, table);
            } else {
                String file = literal(stagedFile(p.input()).toString());
                duck.dropRelation(table);
                exec("parse " + p.input(), "COPY (" + union + ") TO " + file + " (FORMAT parquet, COMPRESSION zstd)");
                if (p.segments().stream().anyMatch(s -> s.rejects() != null)) {
                    // Rows DuckDB could not read as CSV renumber the file's other rows: rare, so done in a table, written back.
                    exec("reload " + p.input(), "CREATE OR REPLACE TABLE " + table + " AS SELECT * FROM read_parquet(" + file + ")");
                    for (Segment s : p.segments()) if (s.rejects() != null) quarantineRejects(p, s, table);
                    exec("rewrite " + p.input(), "COPY " + table + " TO " + file + " (FORMAT parquet, COMPRESSION zstd)");
                    duck.execute("DROP TABLE " + table);
                }
                exec("view " + p.input(), "CREATE VIEW " + table + " AS SELECT * FROM read_parquet(" + file + ")");
            }
        } catch (Duck.DuckException e) {
            duck.dropRelation(table);
            throw unreadable(p, zone, e);
        } finally {
            for (Segment s : p.segments()) if (s.temp() != null) duck.execute("DROP TABLE IF EXISTS " + s.temp());
            for (Segment s : p.segments()) {
                if (s.rejects() == null) continue;
                duck.execute("DROP TABLE IF EXISTS " + s.rejects());
                duck.execute("DROP TABLE IF EXISTS " + s.rejects() + "_scan");
            }
        }
        log.debug("{}: parsed in {} ms", p.input(), (System.nanoTime() - t0) / 1_000_000);
        return table;
    }

    /**
     * The rows DuckDB could not read as CSV (stored in the segment's rejects table) go to the parse table as bad rows, with
     * their data row number (the file line less the header; a quoted field holding line breaks earlier in the file shifts
     * it), and the good rows of that file, numbered by DuckDB among good rows only, get their data row numbers back.
     */
    private void quarantineRejects(Plan p, Segment s, String table) {
        if (duck.queryLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = " + literal(s.rejects())) == 0) return;
        if (duck.queryLong("SELECT count(*) FROM " + s.rejects()) == 0) return;
        String file = literal(s.files().get(0).name());
        String rows = "__attest_rejected_rows";
        String why = "CASE CAST(error_type AS VARCHAR) WHEN 'TOO MANY COLUMNS' THEN 'more fields than the header' "
                + "WHEN 'MISSING COLUMNS' THEN 'fewer fields than the header' WHEN 'INVALID ENCODING' THEN 'not UTF-8 text' "
                + "WHEN 'INVALID UNICODE' THEN 'not UTF-8 text' WHEN 'UNQUOTED VALUE' THEN 'a quote that does not close' "
                + "WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line too long' ELSE lower(CAST(error_type AS VARCHAR)) END";
        exec("rejects " + p.input(), "CREATE OR REPLACE TEMP TABLE " + rows + " AS SELECT line - 1 AS src_row, "
                + "row_number() OVER (ORDER BY line) AS rank, 'not readable as CSV: ' || string_agg(DISTINCT why, '; ' ORDER BY why) AS reason, "
                + "any_value(csv_line) AS raw FROM (SELECT *, " + why + " AS why FROM " + s.rejects() + ") GROUP BY line");
        // Good row k (1-based among good rows) sits at data row k + (rejected rows r_j with r_j - j < k).
        exec("renumber " + p.input(), "UPDATE " + table + " SET src_row = src_row + (SELECT count(*) FROM " + rows
                + " r WHERE r.src_row - r.rank < " + table + ".src_row) WHERE src_file = " + file);
        List<String> cols = p.columns().stream().map(c -> "CAST(NULL AS " + c.kind().sqlType() + ") AS " + c.name()).toList();
        exec("rejects " + p.input(), "INSERT INTO " + table + " BY NAME SELECT " + String.join(", ", cols) + ", " + file
                + " AS src_file, src_row, reason, raw FROM " + rows + " ORDER BY src_row");
        duck.execute("DROP TABLE IF EXISTS " + rows);
    }

    private static List<String> dedupe(List<String> header) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i).isEmpty() ? "column" + i : header.get(i);
            String n = h;
            for (int k = 1; !seen.add(n.toLowerCase(Locale.ROOT)); k++) n = h + "_" + k;
            out.add(n);
        }
        return out;
    }

    /** Names the file a failed read came from: DuckDB's message may name it; if not, each segment is tried alone. */
    private InputException unreadable(Plan p, RowParser.Zone zone, Duck.DuckException e) {
        if (p.source() instanceof InputSource.Sql)
            return new InputException(Code.BAD_SQL, p.input() + " input: the SQL query fails: " + e.getMessage(), e);
        for (DataFile f : p.files())
            if (e.getMessage() != null && e.getMessage().contains(f.name()))
                return new InputException(Code.UNREADABLE, p.input() + " input: cannot read " + f.name() + ": " + e.getMessage(), e);
        for (Segment s : p.segments()) {
            try {
                duck.execute("CREATE OR REPLACE TEMP TABLE __attest_probe AS "
                        + RowParser.build(s.sql(), p.columns(), s.types(), zone, s.rawExpr(), new ArrayList<>()));
            } catch (Duck.DuckException probe) {
                String names = s.files().stream().map(DataFile::name).collect(Collectors.joining(", "));
                return new InputException(Code.UNREADABLE, p.input() + " input: cannot read " + names + ": " + probe.getMessage(), e);
            } finally {
                duck.execute("DROP TABLE IF EXISTS __attest_probe");
            }
        }
        return new InputException(Code.UNREADABLE, p.input() + " input: cannot read its files: " + e.getMessage(), e);
    }

    /** Data rows per file, valid and quarantined. */
    private Map<String, Long> rowsPerFile(Plan p, String table) {
        Map<String, Long> out = new HashMap<>();
        String q = "SELECT src_file, count(*) AS n FROM quarantine WHERE input = " + literal(p.input()) + " GROUP BY src_file";
        if (p.files().size() == 1) {
            out.put(p.files().get(0).name(), duck.queryLong("SELECT count(*) FROM " + table));
        } else if (!p.files().isEmpty()) {
            q = "SELECT src_file, count(*) AS n FROM " + table + " GROUP BY src_file UNION ALL " + q;
        }
        for (Map<String, Object> r : duck.queryRows(q))
            out.merge((String) r.get("src_file"), ((Number) r.get("n")).longValue(), Long::sum);
        return out;
    }

    private List<FileRead> fileReads(Plan p, Map<String, Long> rows, Map<String, Future<String>> hashes) {
        List<FileRead> out = new ArrayList<>();
        for (DataFile f : p.files()) {
            String sha;
            try {
                sha = hashes.get(f.name()).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while hashing " + f.name(), e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
                throw new InputException(Code.UNREADABLE, p.input() + " input: cannot read " + f.name() + ": " + c.getMessage(), c);
            }
            out.add(new FileRead(f.name(), size(f), sha, rows.getOrDefault(f.name(), 0L)));
        }
        return out;
    }

    /**
     * Moves the bad rows of the parse table to quarantine, then turns the parse table into {@code target}
     * (dropping its reason and raw columns, which costs no copy). Returns the number of bad rows.
     */
    private long split(String input, String stage, String target) {
        exec(input + " quarantine", "INSERT INTO quarantine SELECT " + literal(input) + ", src_file, src_row, reason, raw FROM " + stage
                + " WHERE reason IS NOT NULL ORDER BY src_file, src_row");
        long bad = duck.queryLong("SELECT count(*) FROM quarantine WHERE input = " + literal(input));
        if (direct.containsKey(input)) {
            exec(input + " excluded", "CREATE OR REPLACE TABLE " + excluded(input) + " AS SELECT src_file, src_row FROM " + stage
                    + " ORDER BY src_file, src_row");
            duck.execute("DROP TABLE " + stage);
            duck.dropRelation(target);
            // A left join on the (unique, few) excluded rows, as for the staged file's dropped rows below.
            exec(input + " view", "CREATE VIEW " + target + " AS SELECT d.* FROM (" + direct.get(input) + ") AS d LEFT JOIN "
                    + excluded(input) + " x ON x.src_file = d.src_file AND x.src_row = d.src_row WHERE x.src_row IS NULL");
            return bad;
        }
        if (stagedDir != null) {
            // The file keeps the bad rows (their reason is not NULL); the view leaves them out, as the table's delete did.
            duck.dropRelation(stage);
            duck.dropRelation(target);
            exec(input + " view", "CREATE VIEW " + target + " AS " + stagedRows(input, null));
            return bad;
        }
        if (bad > 0) exec(input + " delete bad", "DELETE FROM " + stage + " WHERE reason IS NOT NULL");
        exec(input + " alter", "ALTER TABLE " + stage + " DROP COLUMN reason");
        exec(input + " alter", "ALTER TABLE " + stage + " DROP COLUMN raw");
        exec(input + " drop", "DROP TABLE IF EXISTS " + target);
        exec(input + " rename", "ALTER TABLE " + stage + " RENAME TO " + target);
        return bad;
    }

    /** The valid rows of a file-staged input, less the (src_file, src_row) rows of table {@code drops} when not null. */
    private String stagedRows(String input, String drops) {
        String file = "read_parquet(" + literal(stagedFile(input).toString()) + ") AS s";
        if (drops == null) return "SELECT * EXCLUDE (reason, raw) FROM " + file + " WHERE s.reason IS NULL";
        // A left join on the (unique) dropped rows: a correlated NOT EXISTS became a join that materialised its input.
        return "SELECT s.* EXCLUDE (reason, raw) FROM " + file + " LEFT JOIN " + drops + " x ON x.src_file = s.src_file AND x.src_row = s.src_row "
                + "WHERE s.reason IS NULL AND x.src_row IS NULL";
    }

    private static String columnList(List<Column> columns) {
        return columns.stream().map(Column::name).collect(Collectors.joining(", "));
    }

    private static String sourceKind(Plan p) {
        return p.source() instanceof InputSource.Sql ? "sql" : "files";
    }

    private static String location(Plan p) {
        return p.source() instanceof InputSource.Sql s ? s.query() : ((InputSource.Files) p.source()).path();
    }

    private static List<String> qualified(Plan p) {
        return p.floating().stream().map(c -> p.input() + "." + c).toList();
    }

    private InputReport stageEvents(Plan p, RowParser.Zone zone, Map<String, Future<String>> hashes) {
        long t0 = System.nanoTime();
        String stage = stageTable(p, zone, true);
        long bad = split("events", stage, "events");
        long valid = duck.queryLong("SELECT count(*) FROM events");
        Map<String, Long> perFile = rowsPerFile(p, "events");
        long read = valid + bad;

        // Contracts section 9: two rows of one event_id are identical when the contract's columns are equal by value,
        // and ingested_at is one of them (instants compare as instants). A re-delivery that says it was received at
        // another time is therefore a conflicting one.
        String content = "(customer_id, meter, quantity, event_time, ingested_at, value, dimensions)";
        String first = "(src_file, src_row)";
        // The repeated ids first, on their own: a few rows, which the join below then builds its hash table on. As one
        // query over an input read in place with a time filter, DuckDB built it on every event's row instead (3 times slower).
        exec("repeated events", "CREATE OR REPLACE TEMP TABLE __attest_repeated AS SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1");
        exec("event_deliveries", "CREATE OR REPLACE TABLE event_deliveries AS SELECT event_id, CAST(count(*) AS INTEGER) AS deliveries, "
                + "CAST(count(DISTINCT " + content + ") AS INTEGER) AS variants, arg_min(src_file, " + first + ") AS first_file, "
                + "arg_min(src_row, " + first + ") AS first_row, arg_min(customer_id, " + first + ") AS customer_id, "
                + "arg_min(meter, " + first + ") AS meter, min(event_time) AS event_time, "
                + "string_agg(DISTINCT src_file, ', ' ORDER BY src_file) AS src_files "
                + "FROM events WHERE event_id IN (SELECT event_id FROM __attest_repeated) GROUP BY event_id");
        duck.execute("DROP TABLE __attest_repeated");
        exec("event_conflicts", "INSERT INTO event_conflicts SELECT event_id, variants, deliveries, customer_id, meter, event_time, src_files "
                + "FROM event_deliveries WHERE variants > 1 ORDER BY event_id");
        exec("events_unique", "CREATE OR REPLACE VIEW events_unique AS SELECT e.*, CAST(coalesce(d.deliveries, 1) AS INTEGER) AS deliveries "
                + "FROM events e LEFT JOIN event_deliveries d ON e.event_id = d.event_id "
                + "WHERE d.event_id IS NULL OR (d.variants = 1 AND e.src_file = d.first_file AND e.src_row = d.first_row)");
        long dupDeliveries = duck.queryLong("SELECT coalesce(sum(deliveries - 1), 0) FROM event_deliveries WHERE variants = 1");
        long conflicts = duck.queryLong("SELECT count(*) FROM event_conflicts");
        long conflictRows = duck.queryLong("SELECT coalesce(sum(\"rows\"), 0) FROM event_conflicts");
        long unique = valid - dupDeliveries - conflictRows;
        log.info("events: {} rows read, {} quarantined, {} duplicate deliveries, {} conflicting ids in {} ms",
                read, bad, dupDeliveries, conflicts, (System.nanoTime() - t0) / 1_000_000);
        return new InputReport("events", sourceKind(p), location(p), fileReads(p, perFile, hashes), read, valid, bad,
                dupDeliveries, conflicts, unique, qualified(p), p.skipped());
    }

    private InputReport stageDecisions(Plan p, RowParser.Zone zone, Map<String, Future<String>> hashes) {
        long t0 = System.nanoTime();
        String stage = stageTable(p, zone, true);
        long bad = split("decisions", stage, "decisions");
        long valid = duck.queryLong("SELECT count(*) FROM decisions");
        Map<String, Long> perFile = rowsPerFile(p, "decisions");
        long read = valid + bad;

        String content = p.columns().stream().map(Column::name).filter(n -> !n.equals("decision_id")).collect(Collectors.joining(", "));
        // The repeated ids first, as for the events.
        exec("repeated decisions", "CREATE OR REPLACE TEMP TABLE __attest_repeated AS SELECT decision_id FROM decisions GROUP BY decision_id "
                + "HAVING count(*) > 1");
        exec("decision dups", "CREATE OR REPLACE TEMP TABLE __attest_ddup AS SELECT * FROM decisions WHERE decision_id IN "
                + "(SELECT decision_id FROM __attest_repeated)");
        duck.execute("DROP TABLE __attest_repeated");
        long conflicts = duck.queryLong("SELECT count(*) FROM (SELECT decision_id FROM __attest_ddup GROUP BY decision_id "
                + "HAVING count(DISTINCT (" + content + ")) > 1)");
        exec("decision drops", "CREATE OR REPLACE TEMP TABLE __attest_ddrop AS SELECT src_file, src_row FROM (SELECT src_file, src_row, "
                + "row_number() OVER (PARTITION BY decision_id, " + content + " ORDER BY src_file, src_row) AS rn FROM __attest_ddup) "
                + "WHERE rn > 1");
        long dupDeliveries = duck.queryLong("SELECT count(*) FROM __attest_ddrop");
        if (dupDeliveries > 0 && direct.containsKey("decisions")) {
            exec("decision drops", "INSERT INTO " + excluded("decisions") + " SELECT src_file, src_row FROM __attest_ddrop ORDER BY src_file, src_row");
        } else if (dupDeliveries > 0 && stagedDir != null) {
            exec("decision drops", "CREATE OR REPLACE TABLE " + DECISION_DROPS + " AS SELECT src_file, src_row FROM __attest_ddrop "
                    + "ORDER BY src_file, src_row");
            exec("decisions view", "CREATE OR REPLACE VIEW decisions AS " + stagedRows("decisions", DECISION_DROPS));
        } else if (dupDeliveries > 0)
            exec("decision delete", "DELETE FROM decisions WHERE EXISTS (SELECT 1 FROM __attest_ddrop x "
                    + "WHERE x.src_file = decisions.src_file AND x.src_row = decisions.src_row)");
        duck.execute("DROP TABLE __attest_ddup");
        duck.execute("DROP TABLE __attest_ddrop");
        long staged = valid - dupDeliveries;
        log.info("decisions: {} rows read, {} quarantined, {} duplicate deliveries, {} conflicting ids in {} ms",
                read, bad, dupDeliveries, conflicts, (System.nanoTime() - t0) / 1_000_000);
        return new InputReport("decisions", sourceKind(p), location(p), fileReads(p, perFile, hashes), read, valid, bad,
                dupDeliveries, conflicts, staged, qualified(p), p.skipped());
    }
}
