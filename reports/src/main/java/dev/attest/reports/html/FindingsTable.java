package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.FindingLifecycle;
import dev.attest.reports.FindingStatus;
import dev.attest.reports.ReportData;
import dev.attest.reports.TopFinding;

/**
 * The searchable table of findings: a text filter over every cell, a severity and a status filter (a small
 * inline script over the rows, no library). Each row carries the command that explains it
 * ({@code attest explain RUN --event ID}, or {@code --decision ID} for a finding without an event).
 */
public final class FindingsTable {
    private FindingsTable() {}

    public static void append(StringBuilder h, ReportData d) {
        boolean lifecycle = d.lifecycleTotals() != null;
        h.append("<section id=\"findings\"><h2>Findings</h2>");
        if (d.findings().isEmpty()) {
            h.append("<p>No findings.</p></section>\n");
            return;
        }
        if (d.totalFindings() > d.findings().size())
            h.append("<p class=\"note\">The table lists the first ").append(d.findings().size()).append(" of ").append(d.totalFindings())
                    .append(" findings (most severe and largest differences first); findings.csv and findings.parquet beside this file ")
                    .append("hold them all.</p>");
        h.append("<div class=\"filters\"><label>Search <input id=\"q\" type=\"search\" placeholder=\"code, customer, event, text\" ")
                .append("autocomplete=\"off\"></label> <label>Severity <select id=\"sev\"><option value=\"\">all</option>")
                .append("<option>critical</option><option>error</option><option>warning</option><option>info</option></select></label>");
        if (lifecycle) {
            h.append(" <label>Status <select id=\"st\"><option value=\"\">all</option>");
            for (FindingStatus s : FindingStatus.values())
                h.append("<option value=\"").append(s.key()).append("\">").append(s.label()).append("</option>");
            h.append("</select></label>");
        }
        h.append(" <span class=\"muted\"><span id=\"shown\">").append(d.findings().size()).append("</span> of ").append(d.findings().size())
                .append(" rows shown</span></div>");
        // Eight columns, status first, so that the table fits a 1,400 px window: customer and meter share a cell, and
        // so do event, decision and event time.
        h.append("<div class=\"scroll\"><table id=\"findings-table\"><thead><tr>");
        if (lifecycle) h.append("<th>status</th>");
        h.append("<th>severity</th><th>code</th><th>customer &middot; meter</th><th>event &middot; decision</th><th class=\"n\">difference</th>")
                .append("<th>explanation</th><th>explain</th></tr></thead><tbody>");
        for (TopFinding f : d.findings()) {
            String sev = Html.severityClass(f.severity());
            FindingLifecycle l = d.lifecycle().get(f.fingerprint());
            h.append("<tr id=\"f-").append(esc(f.fingerprint())).append("\" data-sev=\"").append(sev).append('"');
            if (l != null) h.append(" data-status=\"").append(l.status().key()).append('"');
            h.append('>');
            if (lifecycle) lifecycleCell(h, l);
            h.append("<td class=\"sev-").append(sev).append("\">").append(esc(f.severity())).append("</td><td>").append(esc(f.code()))
                    .append("</td><td>").append(esc(f.customerId())).append("<br><span class=\"muted\">").append(esc(f.meter()))
                    .append("</span></td><td>").append(esc(f.eventId())).append(f.decisionId() == null ? "" : "<br>" + esc(f.decisionId()))
                    .append(f.eventTime() == null ? "" : "<br><span class=\"muted t\">" + esc(f.eventTime()) + "</span>")
                    .append("</td><td class=\"n\">")
                    .append(f.difference() == null ? "" : esc(Html.plain(f.difference()) + " " + (f.currency() == null ? "" : f.currency())))
                    .append("</td><td class=\"x\">").append(esc(f.explanation())).append("</td>");
            h.append("<td><details class=\"explain\"><summary>explain</summary><code class=\"cmd\">").append(esc(explain(d.runFolder(), f)))
                    .append("</code></details></td></tr>");
        }
        h.append("</tbody></table></div><p class=\"muted\">Explain: the command under each row's <i>explain</i> prints the chain of that finding (event, the policy ")
                .append("versions that applied, the decision and the rating steps); run it from the folder that holds this run folder. ")
                .append("Fingerprint: each row's id (<code>#f-&lt;fingerprint&gt;</code>), stable across runs; <code>attest ack</code> and ")
                .append("<code>attest accept</code> take it.</p></section>\n");
    }

    /** The explain command of a finding: by event when it has one, else by decision. */
    static String explain(String runFolder, TopFinding f) {
        String target = f.eventId() != null ? " --event " + quote(f.eventId()) : f.decisionId() != null ? " --decision " + quote(f.decisionId()) : "";
        return "attest explain " + quote(runFolder) + target;
    }

    /** Shell-quotes an id when it holds anything but plain characters, so the copied command means that id. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9._:/@+=-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Status first: the lifecycle state, since when and how old, and the latest decision's note. */
    private static void lifecycleCell(StringBuilder h, FindingLifecycle l) {
        if (l == null) {
            h.append("<td></td>");
            return;
        }
        h.append("<td class=\"st\"><span class=\"st st-").append(l.status().key()).append("\">").append(l.status().label());
        if (l.status() == FindingStatus.ACCEPTED) h.append(" until ").append(l.acceptedUntil());
        if (l.status() == FindingStatus.ACCEPTANCE_EXPIRED) h.append(" (until ").append(l.acceptedUntil()).append(')');
        h.append("</span><br><span class=\"muted\">first seen ").append(l.firstSeen()).append(", ").append(l.ageDays()).append(" d</span>");
        if (l.note() != null)
            h.append("<div class=\"decision-note\">").append(esc(l.note())).append(l.decidedBy() == null ? "" : " &mdash; " + esc(l.decidedBy()))
                    .append("</div>");
        h.append("</td>");
    }
}
