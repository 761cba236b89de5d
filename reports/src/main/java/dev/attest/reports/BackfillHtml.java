package dev.attest.reports;

import static dev.attest.reports.html.Html.esc;

import dev.attest.core.findings.Money;
import java.util.Locale;
import java.util.Map;

/**
 * A backfill preview's report.html: the audit report's look (its styles, self-contained, no request leaves the page,
 * every value escaped, the same data gives the same bytes) over what the preview says: how much changes which way per
 * currency, which versions correct the books, the events, the impact lines largest change first, and the command that
 * applies exactly this preview.
 */
public final class BackfillHtml {
    private BackfillHtml() {}

    public static String render(BackfillPreview p) {
        StringBuilder h = new StringBuilder(32 * 1024 + p.lines().size() * 500);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<title>Attest backfill preview ").append(esc(p.previewId())).append("</title><style>").append(HtmlReport.STYLE)
                .append(STYLE).append("</style></head><body>\n");
        h.append("<header><h1>Attest backfill preview</h1><p class=\"muted\">preview <code>").append(esc(p.previewId())).append("</code> &middot; ")
                .append(esc(p.programVersion())).append(" &middot; as corrected at ").append(p.asOf()).append(" &middot; window ")
                .append(p.from()).append(" to ").append(p.to()).append(" &middot; scope ").append(esc(p.scope())).append("</p>")
                .append("<nav><a href=\"#totals\">totals</a> <a href=\"#versions\">correcting versions</a> <a href=\"#events\">events</a> ")
                .append("<a href=\"#lines\">impact lines</a> <a href=\"#apply\">apply</a></nav></header>\n");

        long toCorrect = p.events().getOrDefault("to_correct", 0L);
        h.append("<section id=\"verdict\"><p><span class=\"status ").append(toCorrect == 0 ? "pass\">NOTHING TO CORRECT" : "preview\">PREVIEW")
                .append("</span> ").append(String.format(Locale.ROOT, "%,d", toCorrect)).append(" event(s) to correct on ")
                .append(String.format(Locale.ROOT, "%,d", p.totalLines())).append(" impact line(s). Nothing was written to the books: this is a dry run.</p></section>\n");

        h.append("<section id=\"totals\"><h2>Totals per currency</h2>")
                .append("<p class=\"muted\">Before: what the books hold (the decisions' amounts). After: what the as-corrected rating says. ")
                .append("Change = after &minus; before: positive, the customers owe more (debits); negative, they are owed (credits).</p>")
                .append("<table><tr><th>currency</th><th class=\"n\">lines</th><th class=\"n\">events</th><th class=\"n\">before</th>")
                .append("<th class=\"n\">after</th><th class=\"n\">change</th><th class=\"n\">credits</th><th class=\"n\">debits</th></tr>");
        for (BackfillPreview.Total t : p.totals())
            h.append("<tr><td>").append(esc(t.currency())).append("</td><td class=\"n\">").append(t.lines()).append("</td><td class=\"n\">")
                    .append(t.events()).append("</td>").append(money(t.currency(), t.before(), false)).append(money(t.currency(), t.after(), false))
                    .append(money(t.currency(), t.delta(), true)).append(money(t.currency(), t.credits(), true))
                    .append(money(t.currency(), t.debits(), true)).append("</tr>");
        if (p.totals().isEmpty()) h.append("<tr><td colspan=\"8\">No line changes.</td></tr>");
        h.append("</table></section>\n");

        h.append("<section id=\"versions\"><h2>Correcting versions</h2>");
        if (p.correctingVersions().isEmpty()) h.append("<p>None: no version applies now that did not as known.</p>");
        else {
            h.append("<p class=\"muted\">The versions that apply as corrected and did not as known. Are they the ones you recorded?</p><ul>");
            for (String v : p.correctingVersions()) h.append("<li><code>").append(esc(v)).append("</code></li>");
            h.append("</ul>");
        }
        h.append("</section>\n");

        h.append("<section id=\"events\"><h2>Events and findings</h2><div class=\"cols\"><table class=\"narrow\"><caption>Events of the window</caption>");
        for (Map.Entry<String, Long> e : p.events().entrySet())
            h.append("<tr><td>").append(esc(e.getKey().replace('_', ' '))).append("</td><td class=\"n\">")
                    .append(String.format(Locale.ROOT, "%,d", e.getValue())).append("</td></tr>");
        h.append("</table><table class=\"narrow\"><caption>Findings of the window as the books stand</caption>");
        boolean any = false;
        for (Map.Entry<String, Long> e : p.findings().entrySet()) {
            if (e.getValue() == 0) continue;
            any = true;
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%,d", e.getValue()))
                    .append("</td></tr>");
        }
        if (!any) h.append("<tr><td colspan=\"2\">None.</td></tr>");
        h.append("</table></div><p class=\"muted\">Disagreeing out of scope: events where the live system also erred without a correction ")
                .append("(an audit finding to investigate, not part of this correction; <code>--scope all</code> would include it).</p></section>\n");

        h.append("<section id=\"lines\"><h2>Impact lines</h2><p class=\"muted\">One line per customer, meter, billing period, invoice and ")
                .append("currency, largest change first");
        if (p.totalLines() > p.lines().size())
            h.append("; the first ").append(String.format(Locale.ROOT, "%,d", p.lines().size())).append(" of ")
                    .append(String.format(Locale.ROOT, "%,d", p.totalLines())).append(" (impact.csv has them all)");
        h.append(".</p><div class=\"scroll\"><table id=\"impact-table\"><thead><tr><th>customer &middot; meter</th><th>period &middot; invoice</th>")
                .append("<th class=\"n\">events</th><th class=\"n\">before</th><th class=\"n\">after</th><th class=\"n\">change</th>")
                .append("<th>versions before &rarr; after</th></tr></thead><tbody>");
        for (BackfillPreview.Line l : p.lines())
            h.append("<tr><td>").append(esc(l.customerId())).append("<br><span class=\"muted\">").append(esc(l.meter())).append("</span></td><td>")
                    .append(esc(l.billingPeriod())).append("<br><span class=\"muted\">").append(l.invoiceId() == null ? "no invoice" : esc(l.invoiceId()))
                    .append("</span></td><td class=\"n\">").append(l.eventsAffected())
                    .append(l.eventsRestated() == 0 ? "" : "<br><span class=\"muted\">+" + l.eventsRestated() + " restated</span>").append("</td>")
                    .append(money(l.currency(), l.before(), false)).append(money(l.currency(), l.after(), false)).append(money(l.currency(), l.delta(), true))
                    .append("<td class=\"x\">").append(esc(l.versionsBefore())).append(" &rarr; ").append(esc(l.versionsAfter()))
                    .append(l.correctingVersions() == null || l.correctingVersions().isEmpty() ? ""
                            : "<br><span class=\"muted\">correcting: " + esc(l.correctingVersions()) + "</span>")
                    .append("</td></tr>");
        if (p.lines().isEmpty()) h.append("<tr><td colspan=\"7\">No line changes.</td></tr>");
        h.append("</tbody></table></div></section>\n");

        h.append("<section id=\"apply\"><h2>Apply this preview</h2><p class=\"muted\">The command recomputes the preview id from the inputs ")
                .append("as they are then and refuses (exit 2, nothing written) if anything changed since this preview.</p><code class=\"cmd wide\">")
                .append(esc(p.applyCommand())).append("</code></section>\n");
        h.append("<p class=\"muted\">Every line is in impact.csv and impact.parquet beside this file; summary.json has the totals, the event ")
                .append("counts, the inputs' SHA-256 and the apply command.</p>\n</body></html>\n");
        return h.toString();
    }

    /** The audit report's styles, plus the apply command at full width and a neutral badge (a preview is no verdict). */
    static final String STYLE = "code.cmd.wide{max-width:60rem}.status.preview{background:#fff8e1;color:#8a5a00}#impact-table{width:100%}";

    private static String money(String currency, java.math.BigDecimal v, boolean signed) {
        String text = v == null ? "" : signed ? Money.formatSigned(currency, v) : Money.format(currency, v);
        return "<td class=\"n\">" + esc(text) + "</td>";
    }
}
