package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.ReportData;
import dev.attest.reports.RiskRow;
import java.math.BigDecimal;
import java.util.Map;

/** Amount at risk per currency, and per customer (the top customers of each currency, then the rest together). */
public final class RiskSection {
    private RiskSection() {}

    public static void append(StringBuilder h, ReportData d) {
        h.append("<section id=\"risk\"><h2>Amount at risk</h2>")
                .append("<p class=\"muted\">Sum of |actual &minus; expected| of AMOUNT_MISMATCH and ROUNDING_DIFFERENCE findings.</p>");
        Map<String, BigDecimal> perCurrency = d.summary().amountAtRisk();
        if (perCurrency.isEmpty()) {
            h.append("<p>None.</p></section>\n");
            return;
        }
        h.append("<div class=\"cols\"><table><caption>Per currency</caption><tr><th>currency</th><th class=\"n\">at risk</th></tr>");
        for (Map.Entry<String, BigDecimal> e : perCurrency.entrySet())
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">").append(esc(Html.plain(e.getValue()))).append("</td></tr>");
        h.append("</table><table><caption>Per customer</caption><tr><th>customer</th><th>currency</th><th class=\"n\">at risk</th>")
                .append("<th class=\"n\">findings</th></tr>");
        for (RiskRow r : d.risk()) {
            h.append("<tr").append(r.rest() ? " class=\"rest\"" : "").append("><td>")
                    .append(r.rest() ? r.customers() + " other customer(s)" : esc(r.customerId())).append("</td><td>").append(esc(r.currency()))
                    .append("</td><td class=\"n\">").append(esc(Html.plain(r.amount()))).append("</td><td class=\"n\">").append(r.findings())
                    .append("</td></tr>");
        }
        h.append("</table></div></section>\n");
    }
}
