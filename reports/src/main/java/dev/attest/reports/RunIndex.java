package dev.attest.reports;

import static dev.attest.reports.html.Html.esc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * {@code OUT/index.html}: every run folder under an --out folder, newest cut-off first, with its window, findings,
 * findings at or above the failing severity, coverage and a link to its report; and the trend of findings across the
 * runs as an inline SVG. Rewritten (atomically) after each run; not part of any run's evidence.
 */
public final class RunIndex {
    private RunIndex() {}

    /** One run, as its summary.json says. */
    record Row(String runId, String asOf, String from, String to, long findings, long failing, String coverage, int exit) {}

    public static void write(Path out) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(out)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                Path summary = d.resolve("summary.json");
                if (!Files.isRegularFile(summary) || !Files.isRegularFile(d.resolve("manifest.json"))) continue;
                JsonNode s = Json.MAPPER.readTree(Files.readString(summary));
                JsonNode p = s.path("parameters");
                long findings = 0;
                for (JsonNode n : s.path("findings")) findings += n.asLong();
                rows.add(new Row(s.path("run_id").asString(d.getFileName().toString()), p.path("as_of").asString(""), text(p, "from"),
                        text(p, "to"), findings, s.path("findings_at_or_above_fail_on").asLong(0), s.path("coverage").asString(""),
                        s.path("exit_status").asInt(0)));
            }
        }
        rows.sort(Comparator.comparing(Row::asOf).thenComparing(Row::from).thenComparing(Row::runId).reversed());
        Path partial = out.resolve(".index.html.partial");
        Files.writeString(partial, render(out, rows), StandardCharsets.UTF_8);
        Files.move(partial, out.resolve("index.html"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String text(JsonNode p, String key) {
        return p.hasNonNull(key) ? p.get(key).asString() : "";
    }

    static String render(Path out, List<Row> rows) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<title>Attest runs</title><style>body{font-family:system-ui,sans-serif;margin:1.5rem 2rem;color:#1d2330;max-width:1400px}")
                .append("table{border-collapse:collapse;font-size:.88rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eef}")
                .append("td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.fail{color:#a40000;font-weight:600}.muted{color:#667}")
                .append("svg .bar{fill:#4a7fc1}svg .bar.fail{fill:#e0533d}svg .tick{font-size:11px;fill:#556}</style></head><body>\n")
                .append("<h1>Attest runs</h1><p class=\"muted\">").append(rows.size()).append(" run(s) in ").append(esc(out.toString()))
                .append(", newest first.</p>\n");
        if (!rows.isEmpty()) trend(h, rows);
        h.append("<table id=\"runs\"><thead><tr><th>run</th><th>as of</th><th>window</th><th class=\"n\">findings</th>")
                .append("<th class=\"n\">failing</th><th class=\"n\">coverage</th><th>exit</th></tr></thead><tbody>");
        for (Row r : rows)
            h.append("<tr><td><a href=\"").append(esc(r.runId())).append("/report.html\">").append(esc(r.runId())).append("</a></td><td>")
                    .append(esc(r.asOf())).append("</td><td>").append(esc(r.from().isEmpty() && r.to().isEmpty() ? "everything" : r.from() + " to " + r.to()))
                    .append("</td><td class=\"n\">").append(r.findings()).append("</td><td class=\"n").append(r.failing() > 0 ? " fail" : "")
                    .append("\">").append(r.failing()).append("</td><td class=\"n\">").append(esc(r.coverage())).append("</td><td")
                    .append(r.exit() != 0 ? " class=\"fail\"" : "").append('>').append(r.exit()).append("</td></tr>");
        h.append("</tbody></table></body></html>\n");
        return h.toString();
    }

    /** Findings per run, oldest left: how the findings move from run to run (red: the run failed). */
    private static void trend(StringBuilder h, List<Row> newestFirst) {
        List<Row> rows = new ArrayList<>(newestFirst.subList(0, Math.min(120, newestFirst.size())));
        java.util.Collections.reverse(rows);
        long max = Math.max(1, rows.stream().mapToLong(Row::findings).max().orElse(1));
        int w = 960, hh = 120, left = 40;
        double slot = (w - left - 10) / (double) rows.size();
        h.append("<svg id=\"trend\" viewBox=\"0 0 ").append(w).append(' ').append(hh + 20).append("\" role=\"img\" aria-label=\"findings per run\" ")
                .append("xmlns=\"http://www.w3.org/2000/svg\" style=\"max-width:960px;width:100%\"><text class=\"tick\" x=\"0\" y=\"12\">")
                .append(max).append("</text><text class=\"tick\" x=\"0\" y=\"").append(hh).append("\">0</text>");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double bh = Math.max(r.findings() == 0 ? 0 : 2, (hh - 10) * (double) r.findings() / max);
            h.append("<rect class=\"bar").append(r.exit() != 0 ? " fail" : "").append("\" x=\"").append(String.format(java.util.Locale.ROOT, "%.1f",
                    left + i * slot + slot * 0.1)).append("\" y=\"").append(String.format(java.util.Locale.ROOT, "%.1f", hh - bh)).append("\" width=\"")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", Math.max(0.6, slot * 0.8))).append("\" height=\"")
                    .append(String.format(java.util.Locale.ROOT, "%.1f", bh)).append("\"><title>").append(esc(r.runId())).append(": ")
                    .append(r.findings()).append(" finding(s)</title></rect>");
        }
        h.append("</svg>\n");
    }
}
