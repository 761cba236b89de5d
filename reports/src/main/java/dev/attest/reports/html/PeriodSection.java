package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.PeriodCount;
import java.util.List;

/** The window's events per billing period (by the period's local start date): where findings and provisional amounts lie. */
public final class PeriodSection {
    /** Periods shown at most; the rest are summed in one row. */
    public static final int ROWS = 60;

    private PeriodSection() {}

    public static void append(StringBuilder h, List<PeriodCount> periods) {
        if (periods.isEmpty()) return;
        h.append("<section id=\"periods\"><h2>Billing periods</h2><p class=\"muted\">Events of the window by the billing period they ")
                .append("belong to, named by its local start date: the UTC calendar month, or the customer's own cycle (anchor day and ")
                .append("zone) from the customers input. Counters, quotas and volume totals reset at each period's start.</p>")
                .append("<table class=\"narrow\"><tr><th>billing period</th><th class=\"n\">customers</th><th class=\"n\">events</th>")
                .append("<th class=\"n\">events with findings</th><th class=\"n\">provisional amounts</th></tr>");
        long customers = 0, events = 0, withFindings = 0, provisional = 0;
        for (int i = 0; i < periods.size(); i++) {
            PeriodCount p = periods.get(i);
            if (i < ROWS) {
                h.append("<tr><td class=\"t\">").append(esc(p.billingPeriod())).append("</td><td class=\"n\">").append(p.customers())
                        .append("</td><td class=\"n\">").append(p.events()).append("</td><td class=\"n\">").append(p.eventsWithFindings())
                        .append("</td><td class=\"n\">").append(p.provisional()).append("</td></tr>");
            } else {
                customers += p.customers();
                events += p.events();
                withFindings += p.eventsWithFindings();
                provisional += p.provisional();
            }
        }
        if (periods.size() > ROWS)
            h.append("<tr class=\"rest\"><td>").append(periods.size() - ROWS).append(" more periods</td><td class=\"n\">").append(customers)
                    .append("</td><td class=\"n\">").append(events).append("</td><td class=\"n\">").append(withFindings)
                    .append("</td><td class=\"n\">").append(provisional).append("</td></tr>");
        h.append("</table></section>\n");
    }
}
