package dev.attest.app;

import dev.attest.core.Durations;
import dev.attest.core.findings.FindingCode;
import dev.attest.core.findings.Severity;
import dev.attest.jobs.audit.AuditOutcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a person reads on stderr after an audit: one line per finding code (severity, count), most severe first, a
 * warning when rows were quarantined, and the steps' times. Read from the run's summary.json, so a repeated run
 * shows the same.
 */
final class AuditConsole {
    private AuditConsole() {}

    record Row(String code, Severity severity, long count) {}

    static void print(AuditOutcome.Completed c, PrintStream err) {
        JsonNode summary = summary(c.runDir());
        List<Row> rows = rows(summary);
        if (!rows.isEmpty()) {
            int w = Math.max("CODE".length(), rows.stream().mapToInt(r -> r.code().length()).max().orElse(0));
            err.printf(Locale.ROOT, "  %-" + w + "s  %-8s  %7s%n", "CODE", "SEVERITY", "COUNT");
            for (Row r : rows) err.printf(Locale.ROOT, "  %-" + w + "s  %-8s  %,7d%n", r.code(), r.severity().wire(), r.count());
        }
        long quarantined = summary == null ? 0 : summary.path("inputs").path("quarantined").asLong(0);
        if (quarantined > 0)
            err.printf(Locale.ROOT, "attest: warning: %,d input row(s) quarantined and not audited (unreadable or breaking the contract); "
                    + "file, row and reason in %s%n", quarantined, c.runDir().resolve("quarantine.csv"));
        if (summary != null)
            summary.path("notes").forEach(n -> {
                String t = n.asText("");
                if (t.endsWith("is empty: 0 rows read from it") || t.endsWith("yielded 0 rows in all")) err.println("attest: note: " + t);
            });
                StringBuilder steps = new StringBuilder();
        c.stepTimes().forEach((step, d) -> steps.append(steps.isEmpty() ? "" : ", ").append(step).append(' ').append(Durations.human(d)));
        err.printf(Locale.ROOT, "attest: %,d finding(s); exit status %d%s%n", c.findings(), c.exitStatus(),
                steps.isEmpty() ? "" : " (" + steps + ")");
    }

    /** Codes with at least one finding, most severe first, then most frequent, then by name. */
    static List<Row> rows(JsonNode summary) {
        List<Row> rows = new ArrayList<>();
        if (summary == null) return rows;
        summary.path("findings").properties().forEach(e -> {
            long n = e.getValue().asLong(0);
            if (n > 0) rows.add(new Row(e.getKey(), severity(e.getKey()), n));
        });
        rows.sort(Comparator.comparing(Row::severity).reversed().thenComparing(Comparator.comparingLong(Row::count).reversed())
                .thenComparing(Row::code));
        return rows;
    }

    private static Severity severity(String code) {
        try {
            return FindingCode.valueOf(code).severity();
        } catch (IllegalArgumentException e) {
            return Severity.INFO;
        }
    }

    private static JsonNode summary(Path runDir) {
        Path f = runDir.resolve("summary.json");
        try {
            return Files.isRegularFile(f) ? JsonMapper.builder().build().readTree(Files.readString(f)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
