package dev.attest.reports;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A self-contained report.html for people: no scripts or styles from the network, every value from the
 * data escaped. Totals per code and severity, amounts at risk, and the top findings with their explanations.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(RunSummary s, List<TopFinding> top) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Attest audit ").append(esc(s.runId())).append("</title><style>")
                .append("body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;max-width:1200px}")
                .append("h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde}")
                .append("table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef}")
                .append("td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#667}")
                .append(".sev-critical{color:#a40000;font-weight:600}.sev-error{color:#c0392b}.sev-warning{color:#b7791f}.sev-info{color:#2b6cb0}")
                .append(".status{display:inline-block;padding:.2rem .6rem;border-radius:4px;font-weight:600}")
                .append(".pass{background:#e6f4ea;color:#1e6b34}.fail{background:#fde8e8;color:#a40000}")
                .append("</style></head><body>\n");
        boolean failed = s.exitStatus() != 0;
        h.append("<h1>Attest audit</h1><p class=\"muted\">run <code>").append(esc(s.runId())).append("</code> &middot; ")
                .append(esc(s.programVersion())).append(" &middot; knowledge cut-off ")
                .append(esc(String.valueOf(s.parameters().get("as_of")))).append("</p>\n"); // no wall-clock time: outputs are verified byte for byte
        h.append("<p><span class=\"status ").append(failed ? "fail\">FAIL" : "pass\">PASS").append("</span> ")
                .append(s.findingsAtOrAboveFailOn()).append(" finding(s) at or above <b>").append(esc(s.failOn())).append("</b></p>\n");

        h.append("<h2>Parameters</h2><table>");
        for (Map.Entry<String, Object> e : s.parameters().entrySet())
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(String.valueOf(e.getValue()))).append("</td></tr>");
        h.append("</table>\n");

        h.append("<h2>Inputs</h2><table>");
        for (Map.Entry<String, Long> e : s.inputs().entrySet())
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td class=\"n\">").append(e.getValue()).append("</td></tr>");
        h.append("<tr><th>lineage coverage</th><td class=\"n\">").append(percent(s.coverage())).append("</td></tr></table>\n");
        if (!s.notes().isEmpty()) {
            h.append("<ul>");
            for (String n : s.notes()) h.append("<li>").append(esc(n)).append("</li>");
            h.append("</ul>\n");
        }

        h.append("<h2>Findings by severity</h2><table><tr><th>severity</th><th class=\"n\">count</th></tr>");
        for (Map.Entry<String, Long> e : s.severities().entrySet())
            h.append("<tr><td class=\"sev-").append(esc(e.getKey())).append("\">").append(esc(e.getKey())).append("</td><td class=\"n\">")
                    .append(e.getValue()).append("</td></tr>");
        h.append("</table>\n");

        h.append("<h2>Findings by code</h2><table><tr><th>code</th><th class=\"n\">count</th></tr>");
        for (Map.Entry<String, Long> e : s.findings().entrySet()) {
            if (e.getValue() == 0) continue;
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">").append(e.getValue()).append("</td></tr>");
        }
        long zero = s.findings().values().stream().filter(v -> v == 0).count();
        h.append("</table><p class=\"muted\">").append(zero).append(" other codes: none found.</p>\n");

        h.append("<h2>Amount at risk</h2>");
        if (s.amountAtRisk().isEmpty()) h.append("<p>None.</p>");
        else {
            h.append("<table><tr><th>currency</th><th class=\"n\">sum of absolute differences</th></tr>");
            for (Map.Entry<String, BigDecimal> e : s.amountAtRisk().entrySet())
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">").append(esc(SummaryJson.plain(e.getValue()).toPlainString()))
                        .append("</td></tr>");
            h.append("</table>");
        }

        h.append("\n<h2>Top findings</h2>");
        if (top.isEmpty()) h.append("<p>No findings.</p>");
        else {
            h.append("<table><tr><th>severity</th><th>code</th><th>customer</th><th>meter</th><th>event</th><th>decision</th>")
                    .append("<th class=\"n\">difference</th><th>explanation</th></tr>");
            for (TopFinding f : top) {
                h.append("<tr id=\"f-").append(esc(f.fingerprint())).append("\"><td class=\"sev-").append(esc(f.severity())).append("\">")
                        .append(esc(f.severity())).append("</td><td>").append(esc(f.code())).append("</td><td>").append(esc(f.customerId()))
                        .append("</td><td>").append(esc(f.meter())).append("</td><td>").append(esc(f.eventId())).append("</td><td>")
                        .append(esc(f.decisionId())).append("</td><td class=\"n\">")
                        .append(f.difference() == null ? "" : esc(SummaryJson.plain(f.difference()).toPlainString() + " " + nz(f.currency())))
                        .append("</td><td>").append(esc(f.explanation())).append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("\n<p class=\"muted\">Every finding is in findings.parquet and findings.csv beside this file; ")
                .append("the re-rated expectations are in expected.parquet.</p></body></html>\n");
        return h.toString();
    }

    private static String percent(BigDecimal share) {
        if (share == null) return "n/a";
        return share.movePointRight(2).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString() + " %";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** HTML-escapes text for element content and quoted attribute values. */
    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
