package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.CodeCount;
import dev.attest.reports.LifecycleTotals;
import dev.attest.reports.ReportData;
import dev.attest.reports.RunSummary;
import java.util.Map;

/** The verdict, the run's parameters and inputs, and the totals per severity and per code. */
public final class TotalsSection {
    private TotalsSection() {}

    /** Parameter values longer than this are folded. */
    static final int FOLD_AT = 60;

    public static void append(StringBuilder h, ReportData d) {
        RunSummary s = d.summary();
        boolean failed = s.exitStatus() != 0;
        h.append("<section id=\"verdict\"><p><span class=\"status ").append(failed ? "fail\">FAIL" : "pass\">PASS").append("</span> ")
                .append(s.findingsAtOrAboveFailOn()).append(" finding(s) at or above <b>").append(esc(s.failOn())).append("</b>");
        LifecycleTotals l = d.lifecycleTotals();
        if (l != null && l.suppressedFromExit() > 0)
            h.append(" &middot; ").append(l.suppressedFromExit()).append(" more accepted as risk (not counted)");
        h.append(" &middot; ").append(d.totalFindings()).append(" finding(s) in all</p></section>\n");

        h.append("<section id=\"parameters\"><h2>Run</h2><div class=\"cols\"><table><caption>Parameters</caption>");
        for (Map.Entry<String, Object> e : s.parameters().entrySet()) {
            String v = e.getValue() == null ? "" : String.valueOf(e.getValue());
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td>");
            // A long value (a SQL mapping, a deep path) is folded: its start stays readable, the rest opens on demand.
            if (v.length() > FOLD_AT || v.contains("\n"))
                h.append("<details class=\"param\"><summary>").append(esc(v.lines().findFirst().orElse("").substring(0,
                        Math.min(FOLD_AT, v.lines().findFirst().orElse("").length())))).append("&hellip;</summary><pre>").append(esc(v))
                        .append("</pre></details>");
            else h.append(esc(v));
            h.append("</td></tr>");
        }
        h.append("</table><table><caption>Inputs</caption>");
        for (Map.Entry<String, Long> e : s.inputs().entrySet())
            h.append("<tr><th>").append(esc(e.getKey())).append("</th><td class=\"n\">").append(String.format(java.util.Locale.ROOT, "%,d", e.getValue()))
                    .append("</td></tr>");
        h.append("</table></div>");
        if (!s.notes().isEmpty()) {
            h.append("<ul class=\"notes\">");
            for (String n : s.notes()) h.append("<li>").append(esc(n)).append("</li>");
            h.append("</ul>");
        }
        h.append("</section>\n");

        h.append("<section id=\"totals\"><h2>Findings per severity and code</h2><div class=\"cols\"><table><caption>Per severity</caption>")
                .append("<tr><th>severity</th><th class=\"n\">findings</th></tr>");
        for (Map.Entry<String, Long> e : s.severities().entrySet())
            h.append("<tr><td class=\"sev-").append(Html.severityClass(e.getKey())).append("\">").append(esc(e.getKey()))
                    .append("</td><td class=\"n\">").append(e.getValue()).append("</td></tr>");
        h.append("</table><table><caption>Per code</caption><tr><th>code</th><th>severity</th><th class=\"n\">findings</th></tr>");
        for (CodeCount c : d.codes())
            h.append("<tr><td>").append(esc(c.code())).append("</td><td class=\"sev-").append(Html.severityClass(c.severity())).append("\">")
                    .append(esc(c.severity())).append("</td><td class=\"n\">").append(c.count()).append("</td></tr>");
        if (d.codes().isEmpty()) h.append("<tr><td colspan=\"3\">No findings.</td></tr>");
        h.append("</table></div>");
        long none = s.findings().values().stream().filter(v -> v == 0).count();
        if (none > 0) h.append("<p class=\"muted\">").append(none).append(" other code(s) of the contract: none found.</p>");
        if (l != null) {
            h.append("<table class=\"narrow\"><caption>Across nightly runs</caption><tr><th>status</th><th class=\"n\">findings</th></tr>")
                    .append(row("new (first seen in this run)", l.fresh())).append(row("open (seen before)", l.open()))
                    .append(row("acknowledged", l.acknowledged())).append(row("accepted (risk accepted until a date)", l.accepted()))
                    .append(row("acceptance expired (raised again)", l.acceptanceExpired())).append("</table>");
        }
        h.append("</section>\n");
    }

    private static String row(String label, long n) {
        return "<tr><td>" + label + "</td><td class=\"n\">" + n + "</td></tr>";
    }
}
