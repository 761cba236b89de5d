package dev.attest.reports.html;

import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.ReportData;
import dev.attest.reports.SincePrevious;

/** "Since the previous run": new, resolved and still open against the previous run of the same scope. */
public final class SinceSection {
    private SinceSection() {}

    public static void append(StringBuilder h, ReportData d) {
        SincePrevious s = d.since();
        if (s == null) return; // no lifecycle store: no history to compare with
        h.append("<section id=\"since\"><h2>Since the previous run</h2>");
        if (s.previousRunId() == null) {
            h.append("<p class=\"muted\">No earlier run of this scope is recorded (the same inputs and window start, a window ending no ")
                    .append("later than this one's): nothing to compare with. Nightly windows are each their own scope; repeated audits of ")
                    .append("a window and near-real-time passes of a span are compared with the one before.</p></section>\n");
            return;
        }
        h.append("<p>Against run <code>").append(esc(s.previousRunId())).append("</code> (as of ").append(s.previousAsOf()).append("): <b>")
                .append(s.fresh()).append(" new</b>, <b>").append(s.resolvedCount()).append(" resolved</b>, <b>").append(s.stillOpen())
                .append(" still open</b>.</p>");
        if (!s.perCode().isEmpty()) {
            h.append("<div class=\"cols\"><table><caption>Per code</caption><tr><th>code</th><th class=\"n\">new</th><th class=\"n\">resolved</th>")
                    .append("<th class=\"n\">still open</th></tr>");
            for (SincePrevious.CodeChange c : s.perCode())
                h.append("<tr><td>").append(esc(c.code())).append("</td><td class=\"n\">").append(c.fresh()).append("</td><td class=\"n\">")
                        .append(c.resolved()).append("</td><td class=\"n\">").append(c.stillOpen()).append("</td></tr>");
            h.append("</table>");
            if (!s.resolved().isEmpty()) {
                h.append("<table><caption>Resolved (reported by the previous run, not by this one)</caption><tr><th>code</th><th>fingerprint</th></tr>");
                for (SincePrevious.Resolved r : s.resolved())
                    h.append("<tr><td>").append(esc(r.code())).append("</td><td><code>").append(esc(r.fingerprint())).append("</code></td></tr>");
                if (s.resolvedCount() > s.resolved().size())
                    h.append("<tr class=\"rest\"><td colspan=\"2\">").append(s.resolvedCount() - s.resolved().size())
                            .append(" more (attest findings --fingerprint FP shows any finding's history)</td></tr>");
                h.append("</table>");
            }
            h.append("</div>");
        }
        h.append("<p class=\"muted\">New here means not reported by the previous run; the findings table's status says whether a finding was ")
                .append("ever seen before. The previous run's window lies inside this one's, so a finding it reported that this run does not ")
                .append("is resolved.</p></section>\n");
    }
}
