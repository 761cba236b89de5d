package dev.attest.app;

import dev.attest.core.findings.Severity;
import dev.attest.io.duck.Duck;
import dev.attest.jobs.lifecycle.FindingHistory;
import dev.attest.jobs.lifecycle.LifecycleRules;
import dev.attest.jobs.lifecycle.LifecycleStore;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The findings of one run folder, with their status from the finding history (new in this run, open, acknowledged,
 * accepted, acceptance expired), filtered and written as a table, CSV or JSON. Rows keep the run's order.
 */
final class FindingsList {
    static final List<String> COLUMNS = List.of("status", "severity", "code", "customer_id", "meter", "event_id", "decision_id",
            "event_time", "difference", "currency", "money_class", "money_effect", "fingerprint", "explanation", "explain");

    record Filter(String status, String code, Severity severity, String customer, String meter, BigDecimal minAmount, boolean onlyNew) {}

    private FindingsList() {}

    static List<Map<String, String>> read(Path runDir, Filter f, LifecycleStore store) throws SQLException {
        List<String> where = new ArrayList<>();
        if (f.code() != null) where.add("code = " + Duck.literal(f.code().trim().toUpperCase(Locale.ROOT)));
        if (f.severity() != null) where.add("severity = " + Duck.literal(f.severity().wire()));
        if (f.customer() != null) where.add("customer_id = " + Duck.literal(f.customer()));
        if (f.meter() != null) where.add("meter = " + Duck.literal(f.meter()));
        if (f.minAmount() != null) where.add("abs(difference) >= " + f.minAmount().toPlainString());
        List<Map<String, String>> rows = new ArrayList<>();
        try (Duck duck = Duck.inMemory()) {
            String file = Duck.literal(runDir.resolve("findings.parquet").toString());
            boolean money = duck.queryRows("DESCRIBE SELECT * FROM read_parquet(" + file + ")").stream()
                    .anyMatch(c -> "money_class".equals(c.get("column_name")));
            String moneyCols = money ? "money_class, CAST(CAST(money_effect AS DECIMAL(38,9)) AS VARCHAR) AS money_effect, "
                    : "NULL AS money_class, NULL AS money_effect, "; // a run folder from before money classes
            for (Map<String, Object> r : duck.queryRows("SELECT severity, code, customer_id, meter, event_id, decision_id, " + moneyCols
                    + "strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS event_time, "
                    + "CAST(CAST(difference AS DECIMAL(38,9)) AS VARCHAR) AS difference, currency, fingerprint, explanation, explain "
                    + "FROM read_parquet(" + Duck.literal(runDir.resolve("findings.parquet").toString()) + ")"
                    + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY code, event_id NULLS FIRST, "
                    + "decision_id NULLS FIRST, fingerprint")) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String c : COLUMNS) row.put(c, r.get(c) == null ? "" : r.get(c).toString());
                row.put("difference", plain(row.get("difference")));
                row.put("money_effect", plain(row.get("money_effect")));
                rows.add(row);
            }
        }
        String runId = runDir.getFileName().toString();
        LocalDate asOfDate = asOf(runDir).atZone(ZoneOffset.UTC).toLocalDate();
        Map<String, FindingHistory> histories = store.histories(rows.stream().map(r -> r.get("fingerprint")).toList(), Instant.now());
        for (Map<String, String> row : rows) {
            FindingHistory h = histories.get(row.get("fingerprint"));
            // A run this metadata database never recorded has no history here: its findings are all new to it.
            row.put("status", h == null ? "new" : LifecycleRules.status(runId.equals(h.firstSeenRun()), h.latestDecision(), asOfDate).label());
        }
        rows.removeIf(r -> f.onlyNew() && !r.get("status").equals("new")
                || f.status() != null && !r.get("status").equalsIgnoreCase(f.status().trim().replace('-', ' ')));
        return rows;
    }

    static void write(List<Map<String, String>> rows, String format, PrintStream out) {
        switch (format) {
            case "csv" -> {
                out.println(String.join(",", COLUMNS));
                for (Map<String, String> r : rows) out.println(String.join(",", r.values().stream().map(FindingsList::csv).toList()));
            }
            case "json" -> out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            default -> {
                List<String> cols = List.of("status", "severity", "code", "customer_id", "meter", "event_id", "decision_id", "difference",
                        "money_class", "money_effect", "fingerprint");
                int[] w = cols.stream().mapToInt(String::length).toArray();
                for (Map<String, String> r : rows)
                    for (int i = 0; i < cols.size(); i++) w[i] = Math.max(w[i], r.get(cols.get(i)).length());
                StringBuilder fmt = new StringBuilder();
                for (int i = 0; i < cols.size(); i++) fmt.append(i == 7 ? "%" : "%-").append(w[i]).append("s").append(i + 1 < cols.size() ? "  " : "%n");
                out.printf(Locale.ROOT, fmt.toString(), cols.stream().map(c -> c.replace("_id", "").toUpperCase(Locale.ROOT)).toArray());
                for (Map<String, String> r : rows) out.printf(Locale.ROOT, fmt.toString(), cols.stream().map(r::get).toArray());
            }
        }
    }

    private static String plain(String decimal) {
        return decimal.isEmpty() ? "" : new BigDecimal(decimal).stripTrailingZeros().toPlainString();
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") || v.contains("\n") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }

    private static Instant asOf(Path runDir) {
        try {
            JsonNode summary = JsonMapper.builder().build().readTree(Files.readString(runDir.resolve("summary.json")));
            return Instant.parse(summary.path("parameters").path("as_of").asString());
        } catch (java.io.IOException | RuntimeException e) {
            return Instant.now();
        }
    }
}
