package dev.attest.io.customers;

import static dev.attest.io.duck.Duck.literal;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputException.Code;
import dev.attest.io.input.InputFiles;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the optional customers input of contracts section 10 (Parquet, CSV or JSON Lines; a file, a folder or a
 * glob) into each customer's billing cycle. It is reference data, like policies: any bad row, or two rows of one
 * customer that say different things, stops the run before any work with the file, row and customer named
 * (exit 2). Identical duplicates count once. Extra columns are ignored; an empty value is a missing one.
 */
public final class CustomersLoader {
    public static final String CUSTOMER_ID = "customer_id";
    public static final String ANCHOR = "billing_anchor_day";
    public static final String ZONE = "billing_zone";
    private static final List<String> COLUMNS = List.of(CUSTOMER_ID, ANCHOR, ZONE);
    private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private CustomersLoader() {}

    /** One customers row: its values as text (null when absent or empty) and where it came from. */
    record Row(String customerId, String anchor, String zone, Path file, long row) {
        String where() {
            return file + " row " + row;
        }
    }

    /** The cycles the input at {@code spec} gives; null or blank spec: no customers input, UTC calendar months. */
    public static BillingCycles load(String spec) {
        if (spec == null || spec.isBlank()) return BillingCycles.calendarMonths();
        List<InputFiles.DataFile> files = InputFiles.resolve("customers", spec);
        // Every step of a run (identity, staging, rating, reconciling, writing) asks for the same input: an unchanged set
        // of files (same paths, sizes and modification times) is read once per process, as InputFiles.sha256 does.
        List<String> stamp = new ArrayList<>();
        for (InputFiles.DataFile f : files) {
            try {
                stamp.add(f.name() + '|' + Files.size(f.path()) + '|' + Files.getLastModifiedTime(f.path()).toMillis());
            } catch (IOException e) {
                throw new InputException(Code.UNREADABLE, "customers: cannot read " + f.path() + ": " + e.getMessage(), e);
            }
        }
        BillingCycles cached = CACHE.get(stamp);
        if (cached != null) return cached;
        BillingCycles read = read(files);
        if (CACHE.size() > 16) CACHE.clear();
        CACHE.put(stamp, read);
        return read;
    }

    private static final Map<List<String>, BillingCycles> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static BillingCycles read(List<InputFiles.DataFile> files) {
        Map<String, BillingCycle> cycles = new HashMap<>();
        Map<String, Row> firstRow = new HashMap<>();
        for (InputFiles.DataFile f : files) {
            for (Row r : rows(f)) {
                if (r.customerId() == null) throw bad(r, "customer_id is required");
                BillingCycle cycle = cycle(r);
                BillingCycle earlier = cycles.putIfAbsent(r.customerId(), cycle);
                if (earlier != null && !earlier.equals(cycle)) {
                    Row e = firstRow.get(r.customerId());
                    throw bad(r, "gives this customer a second billing cycle (" + cycle + ") beside " + earlier + " in " + e.where()
                            + "; a customer's cycle does not change over time in this version");
                }
                firstRow.putIfAbsent(r.customerId(), r);
            }
        }
        return BillingCycles.of(cycles);
    }

    private static BillingCycle cycle(Row r) {
        int anchor = 1;
        if (r.anchor() != null) {
            BigDecimal a;
            try {
                a = new BigDecimal(r.anchor().trim());
            } catch (NumberFormatException e) {
                throw bad(r, "billing_anchor_day '" + r.anchor() + "' is not a whole number 1..31");
            }
            if (a.stripTrailingZeros().scale() > 0 || a.compareTo(BigDecimal.ONE) < 0 || a.compareTo(BigDecimal.valueOf(31)) > 0)
                throw bad(r, "billing_anchor_day must be a whole number 1..31, got " + r.anchor());
            anchor = a.intValueExact();
        }
        try {
            return r.zone() == null ? new BillingCycle(anchor, java.time.ZoneOffset.UTC) : BillingCycle.parse(anchor, r.zone());
        } catch (IllegalArgumentException e) {
            throw bad(r, e.getMessage());
        }
    }

    private static InputException bad(Row r, String reason) {
        return new InputException(Code.BAD_CUSTOMER, "customers: " + r.where()
                + (r.customerId() == null ? "" : " (customer '" + r.customerId() + "')") + ": " + reason);
    }

    private static List<Row> rows(InputFiles.DataFile f) {
        return f.format() == InputFiles.Format.JSONL && !gzipped(f.path()) ? jsonLines(f.path()) : table(f);
    }

    private static boolean gzipped(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") || n.endsWith(".zst");
    }

    /** JSON Lines, read line by line so that a malformed line is named by its number. */
    private static List<Row> jsonLines(Path f) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f);
        } catch (IOException e) {
            throw new InputException(Code.UNREADABLE, "customers: cannot read " + f + ": " + e.getMessage(), e);
        }
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) continue;
            Row where = new Row(null, null, null, f, i + 1);
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JacksonException e) {
                throw bad(where, "not a JSON object: " + e.getOriginalMessage());
            }
            if (!n.isObject()) throw bad(where, "not a JSON object");
            out.add(new Row(text(n.get(CUSTOMER_ID)), text(n.get(ANCHOR)), text(n.get(ZONE)), f, i + 1));
        }
        return out;
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull()) return null;
        String s = v.isString() ? v.asString() : v.toString();
        return s.isEmpty() ? null : s;
    }

    /** A Parquet or CSV file (or compressed JSON Lines) read through DuckDB, every value as text. */
    private static List<Row> table(InputFiles.DataFile f) {
        String path = literal(f.path().toString());
        String read = switch (f.format()) {
            case CSV -> "(SELECT * FROM read_csv(" + path + ", all_varchar=true, header=true) WITH ORDINALITY) AS __t";
            case PARQUET -> "read_parquet(" + path + ", file_row_number=true) AS __t";
            case JSONL -> "(SELECT * FROM read_json(" + path + ", format='newline_delimited', records=true) WITH ORDINALITY) AS __t";
        };
        String rowNo = f.format() == InputFiles.Format.PARQUET ? "__t.file_row_number + 1" : "__t.ordinality";
        try (Duck duck = Duck.inMemory()) {
            Map<String, String> present = new LinkedHashMap<>();
            try {
                for (Map<String, Object> c : duck.queryRows("DESCRIBE SELECT * FROM " + read)) {
                    String name = (String) c.get("column_name");
                    if (COLUMNS.contains(name.toLowerCase(Locale.ROOT))) present.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
                }
            } catch (Duck.DuckException e) {
                throw new InputException(Code.UNREADABLE, "customers: cannot read " + f.path() + ": " + e.getMessage(), e);
            }
            if (!present.containsKey(CUSTOMER_ID))
                throw new InputException(Code.MISSING_COLUMN, "customers: " + f.path() + " has no customer_id column (columns: "
                        + String.join(", ", COLUMNS) + ")");
            StringBuilder select = new StringBuilder("SELECT " + rowNo + " AS __row_no");
            for (String c : COLUMNS)
                select.append(", ").append(present.containsKey(c) ? "CAST(__t." + Duck.ident(present.get(c)) + " AS VARCHAR)" : "NULL::VARCHAR")
                        .append(" AS ").append(c);
            List<Row> out = new ArrayList<>();
            try {
                for (Map<String, Object> d : duck.queryRows(select + " FROM " + read + " ORDER BY 1"))
                    out.add(new Row(blankToNull(d.get(CUSTOMER_ID)), blankToNull(d.get(ANCHOR)), blankToNull(d.get(ZONE)), f.path(),
                            ((Number) d.get("__row_no")).longValue()));
            } catch (Duck.DuckException e) {
                throw new InputException(Code.UNREADABLE, "customers: cannot read " + f.path() + ": " + e.getMessage(), e);
            }
            return out;
        }
    }

    private static String blankToNull(Object v) {
        return v == null || v.toString().isEmpty() ? null : v.toString();
    }
}
