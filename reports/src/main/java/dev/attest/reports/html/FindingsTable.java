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
        h.append("<div class=\"scroll\"><table id=\"findings-table\"><thead><tr><th>severity</th><th>code</th><th>customer</th><th>meter</th><th>event</th>")
                .append("<th>decision</th><th>event time</th><th class=\"n\">difference</th><th>explanation</th>");
        if (lifecycle) h.append("<th>first seen</th><th class=\"n\">age (days)</th><th>status</th>");
        h.append("<th>explain</th></tr></thead><tbody>");
        for (TopFinding f : d.findings()) {
            String sev = Html.severityClass(f.severity());
            FindingLifecycle l = d.lifecycle().get(f.fingerprint());
            h.append("<tr id=\"f-").append(esc(f.fingerprint())).append("\" data-sev=\"").append(sev).append('"');
            if (l != null) h.append(" data-status=\"").append(l.status().key()).append('"');
            h.append("><td class=\"sev-").append(sev).append("\">").append(esc(f.severity())).append("</td><td>").append(esc(f.code()))
                    .append("</td><td>").append(esc(f.customerId())).append("</td><td>").append(esc(f.meter())).append("</td><td>")
                    .append(esc(f.eventId())).append("</td><td>").append(esc(f.decisionId())).append("</td><td class=\"t\">")
                    .append(esc(f.eventTime())).append("</td><td class=\"n\">")
                    .append(f.difference() == null ? "" : esc(Html.plain(f.difference()) + " " + (f.currency() == null ? "" : f.currency())))
                    .append("</td><td class=\"x\">").append(esc(f.explanation())).append("</td>");
            if (lifecycle) lifecycleCells(h, l);
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

    private static void lifecycleCells(StringBuilder h, FindingLifecycle l) {
        if (l == null) {
            h.append("<td></td><td></td><td></td>");
            return;
        }
        h.append("<td class=\"t\">").append(l.firstSeen()).append("</td><td class=\"n\">").append(l.ageDays()).append("</td><td><span class=\"st st-")
                .append(l.status().key()).append("\">").append(l.status().label());
        if (l.status() == FindingStatus.ACCEPTED) h.append(" until ").append(l.acceptedUntil());
        if (l.status() == FindingStatus.ACCEPTANCE_EXPIRED) h.append(" (until ").append(l.acceptedUntil()).append(')');
        h.append("</span>");
        if (l.note() != null)
            h.append("<div class=\"decision-note\">").append(esc(l.note())).append(l.decidedBy() == null ? "" : " &mdash; " + esc(l.decidedBy()))
                    .append("</div>");
        h.append("</td>");
    }
}
