package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.core.findings.Money;
import dev.attest.core.findings.MoneyClass;
import dev.attest.reports.ReportData;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Money by class per currency (issue 14), on the report's first screen: which way the money goes, in each
 * currency's minor units. Classes are magnitudes, except retroactive (as-corrected minus as-known, signed).
 */
public final class MoneySection {
    private MoneySection() {}

    public static void append(StringBuilder h, ReportData d) {
        h.append("<section id=\"money\"><h2>Money by class</h2>")
                .append("<p class=\"muted\">What the findings move, per currency: overcharged and undercharged (amount and outcome ")
                .append("differences), unbilled (events without decision), double charged (duplicate decisions after the first), ")
                .append("charged without usage (orphan and unlinked decisions), unverified (billed where no expectation could be formed) ")
                .append("and retroactive (as corrected minus as known: positive, customers owe more). money.csv breaks it down per ")
                .append("customer, meter, invoice and day.</p>");
        Map<String, Map<String, BigDecimal>> money = d.summary().money();
        if (money.isEmpty()) {
            h.append("<p>None: no finding moves money.</p></section>\n");
            return;
        }
        h.append("<table><tr><th>currency</th>");
        for (MoneyClass k : MoneyClass.values()) h.append("<th class=\"n\">").append(k.wire().replace('_', ' ')).append("</th>");
        h.append("</tr>");
        for (Map.Entry<String, Map<String, BigDecimal>> e : money.entrySet()) {
            h.append("<tr><td>").append(esc(e.getKey())).append("</td>");
            for (MoneyClass k : MoneyClass.values()) {
                BigDecimal v = e.getValue().getOrDefault(k.wire(), BigDecimal.ZERO);
                String text = k == MoneyClass.RETROACTIVE ? Money.formatSigned(e.getKey(), v) : Money.format(e.getKey(), v);
                h.append("<td class=\"n\">").append(esc(text)).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></section>\n");
    }
}
