package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.CoverageRow;
import dev.attest.reports.GapCount;
import dev.attest.reports.ReportData;
import java.math.BigDecimal;

/** Lineage coverage overall, the broken links per kind, and the customers and meters with the lowest coverage. */
public final class CoverageSection {
    /** Rows of the per-customer-and-meter table: the caller passes the lowest coverage first. */
    public static final int ROWS = 50;

    private CoverageSection() {}

    public static void append(StringBuilder h, ReportData d) {
        h.append("<section id=\"lineage\"><h2>Lineage coverage</h2><p>Share of decisions in scope whose whole chain event &rarr; ")
                .append("policy version (change_ref) &rarr; decision &rarr; invoice is intact: <b id=\"coverage-overall\">")
                .append(Html.percent(d.summary().coverage())).append("</b></p><div class=\"cols\"><table><caption>Broken links</caption>")
                .append("<tr><th>gap</th><th class=\"n\">count</th></tr>");
        for (GapCount g : d.gaps())
            h.append("<tr><td>").append(esc(g.gap())).append("</td><td class=\"n\">").append(g.count()).append("</td></tr>");
        if (d.gaps().isEmpty()) h.append("<tr><td colspan=\"2\">None: every chain is intact.</td></tr>");
        h.append("</table><table><caption>Per customer and meter with a broken chain (lowest coverage first)</caption><tr><th>customer</th><th>meter</th>")
                .append("<th class=\"n\">decisions</th><th class=\"n\">intact</th><th class=\"n\">coverage</th></tr>");
        // Only the customers and meters with a broken chain: rows at 100 % would pad the table and say nothing.
        java.util.List<CoverageRow> broken = d.coverage().stream().filter(r -> r.coverage().compareTo(BigDecimal.ONE) < 0).toList();
        for (CoverageRow r : broken) {
            BigDecimal c = r.coverage();
            h.append("<tr><td>").append(esc(r.customerId())).append("</td><td>").append(esc(r.meter())).append("</td><td class=\"n\">")
                    .append(r.decisions()).append("</td><td class=\"n\">").append(r.intact()).append("</td><td class=\"n\"><span class=\"meter\">")
                    .append("<span style=\"width:").append(c.movePointRight(2).setScale(0, java.math.RoundingMode.DOWN).toPlainString())
                    .append("%\"></span></span> ").append(Html.percent(c)).append("</td></tr>");
        }
        if (d.coverage().isEmpty()) h.append("<tr><td colspan=\"5\">No decisions in scope.</td></tr>");
        else if (broken.isEmpty()) h.append("<tr><td colspan=\"5\">Every customer and meter: 100 %.</td></tr>");
        h.append("</table></div><p class=\"muted\">Every broken link is in lineage_gaps.parquet; coverage per customer, meter and day in ")
                .append("lineage_coverage.parquet.</p></section>\n");
    }
}
