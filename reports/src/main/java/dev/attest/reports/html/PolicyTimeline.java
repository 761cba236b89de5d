package dev.attest.reports.html;

import static dev.attest.reports.html.Html.coord;
import static dev.attest.reports.html.Html.esc;

import dev.attest.reports.PolicyVersionRow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The policy timeline of each meter as inline SVG: one row per version on a valid-time axis, a dashed line
 * where a policy switches to its next version, corrections (versions recorded after another version covering
 * the same valid time) drawn orange with a dashed outline, the moment each version was recorded as a small mark, the audit window
 * shaded and the as-of cut-off as a line.
 */
public final class PolicyTimeline {
    static final int WIDTH = 960;
    static final int LABEL = 330;
    static final int RIGHT = 16;
    static final int ROW = 22;
    static final int TOP = 26;
    static final int AXIS = 28;
    static final int MAX_ROWS = 60;
    static final int MAX_METERS = 50;

    private PolicyTimeline() {}

    public static void append(StringBuilder h, List<PolicyVersionRow> versions, Instant asOf, Instant windowFrom, Instant windowTo) {
        h.append("<section id=\"timeline\"><h2>Policy timeline per meter</h2>");
        if (versions.isEmpty()) {
            h.append("<p>No policies.</p></section>\n");
            return;
        }
        h.append("<p class=\"muted\">Each bar is a version's valid time. <span class=\"key switch\">dashed line</span> a policy switches to ")
                .append("its next version; <span class=\"key corr\">orange, dashed outline</span> a correction: recorded after another version covering the ")
                .append("same time, once that time had begun (it rewrote the past); &#9660; when a version was recorded; shaded: the audit window; red line: the as-of cut-off.</p>");
        Instant start = versions.get(0).validFrom();
        Instant end = asOf;
        for (PolicyVersionRow v : versions) {
            if (v.validFrom().isBefore(start)) start = v.validFrom();
            if (v.recordedAt().isBefore(start)) start = v.recordedAt(); // versions are often recorded before they apply
            if (v.recordedAt().isAfter(end)) end = v.recordedAt();
            if (v.validFrom().isAfter(end)) end = v.validFrom();
            if (v.validTo() != null && v.validTo().isAfter(end)) end = v.validTo();
        }
        if (windowFrom != null && windowFrom.isBefore(start)) start = windowFrom;
        if (windowTo != null && windowTo.isAfter(end)) end = windowTo;
        if (asOf.isBefore(start)) start = asOf;
        Duration pad = Duration.between(start, end).dividedBy(30);
        if (pad.isZero()) pad = Duration.ofDays(1);
        Axis axis = new Axis(start.minus(pad), end.plus(pad));

        Map<String, List<PolicyVersionRow>> byMeter = new LinkedHashMap<>();
        for (PolicyVersionRow v : versions) byMeter.computeIfAbsent(v.meter(), m -> new ArrayList<>()).add(v);
        int meters = 0;
        for (Map.Entry<String, List<PolicyVersionRow>> e : byMeter.entrySet()) {
            if (++meters > MAX_METERS) {
                h.append("<p class=\"muted\">").append(byMeter.size() - MAX_METERS).append(" more meter(s) not drawn.</p>");
                break;
            }
            meter(h, e.getKey(), e.getValue(), axis, asOf, windowFrom, windowTo);
        }
        h.append("</section>\n");
    }

    private static void meter(StringBuilder h, String meter, List<PolicyVersionRow> all, Axis axis, Instant asOf, Instant windowFrom,
                              Instant windowTo) {
        List<PolicyVersionRow> rows = all.size() > MAX_ROWS ? all.subList(0, MAX_ROWS) : all;
        int height = TOP + rows.size() * ROW + AXIS;
        double plotTop = TOP - 6;
        double plotBottom = TOP + rows.size() * ROW;
        h.append("<h3>meter <code>").append(esc(meter)).append("</code></h3><svg class=\"chart timeline\" viewBox=\"0 0 ").append(WIDTH)
                .append(' ').append(height).append("\" role=\"img\" aria-label=\"policy versions of meter ").append(esc(meter))
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        if (windowFrom != null || windowTo != null) {
            double x1 = axis.x(windowFrom == null ? axis.start : windowFrom);
            double x2 = axis.x(windowTo == null ? axis.end : windowTo);
            h.append("<rect class=\"window\" x=\"").append(coord(x1)).append("\" y=\"").append(coord(plotTop)).append("\" width=\"")
                    .append(coord(Math.max(x2 - x1, 0.5))).append("\" height=\"").append(coord(plotBottom - plotTop))
                    .append("\"><title>audit window</title></rect>");
        }
        for (int t = 0; t <= 5; t++) {
            Instant at = axis.start.plus(Duration.between(axis.start, axis.end).multipliedBy(t).dividedBy(5));
            double x = axis.x(at);
            h.append("<line class=\"grid\" x1=\"").append(coord(x)).append("\" x2=\"").append(coord(x)).append("\" y1=\"").append(coord(plotTop))
                    .append("\" y2=\"").append(coord(plotBottom)).append("\"/><text class=\"tick\" x=\"").append(coord(x)).append("\" y=\"")
                    .append(coord(plotBottom + 16)).append("\" text-anchor=\"").append(t == 0 ? "start" : t == 5 ? "end" : "middle").append("\">").append(at.atZone(ZoneOffset.UTC).toLocalDate())
                    .append("</text>");
        }
        // A version switch: where a later version of the same policy starts to apply.
        Map<String, TreeSet<Instant>> starts = new LinkedHashMap<>();
        for (PolicyVersionRow v : rows) starts.computeIfAbsent(key(v), k -> new TreeSet<>()).add(v.validFrom());
        for (Map.Entry<String, TreeSet<Instant>> e : starts.entrySet()) {
            for (Instant s : e.getValue().tailSet(e.getValue().first(), false)) {
                double x = axis.x(s);
                h.append("<line class=\"switch\" x1=\"").append(coord(x)).append("\" x2=\"").append(coord(x)).append("\" y1=\"")
                        .append(coord(plotTop)).append("\" y2=\"").append(coord(plotBottom)).append("\"><title>").append(esc(e.getKey()))
                        .append(" switches version at ").append(s).append("</title></line>");
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            PolicyVersionRow v = rows.get(i);
            double y = TOP + i * ROW;
            String label = v.policyId() + (v.customerId() == null ? "" : " [" + v.customerId() + "]") + " v" + v.version();
            h.append("<g class=\"version").append(v.correction() ? " correction" : "").append("\"><text class=\"label\" x=\"").append(LABEL - 8)
                    .append("\" y=\"").append(coord(y + 14)).append("\" text-anchor=\"end\">").append(esc(truncate(label, 48))).append("</text>");
            double x1 = axis.x(v.validFrom());
            double x2 = axis.x(v.validTo() == null ? axis.end : v.validTo());
            h.append("<rect class=\"").append(v.correction() ? "ver corr" : "ver").append(v.validTo() == null ? " open" : "").append("\" x=\"")
                    .append(coord(x1)).append("\" y=\"").append(coord(y + 4)).append("\" width=\"").append(coord(Math.max(x2 - x1, 1)))
                    .append("\" height=\"14\"><title>").append(esc(label)).append(" (").append(esc(v.kind())).append("): valid ")
                    .append(v.validFrom()).append(" to ").append(v.validTo() == null ? "open end" : v.validTo().toString()).append(", recorded ")
                    .append(v.recordedAt()).append(v.changeRef() == null ? ", no change_ref" : ", change_ref " + esc(v.changeRef()))
                    .append(v.correction() ? "; a correction of an earlier-recorded version" : "").append("</title></rect>");
            if (!v.recordedAt().isBefore(axis.start) && !v.recordedAt().isAfter(axis.end)) {
                double rx = axis.x(v.recordedAt());
                h.append("<path class=\"recorded\" d=\"M").append(coord(rx - 4)).append(' ').append(coord(y)).append(" L").append(coord(rx + 4))
                        .append(' ').append(coord(y)).append(" L").append(coord(rx)).append(' ').append(coord(y + 6)).append(" Z\"><title>v")
                        .append(v.version()).append(" recorded ").append(v.recordedAt()).append("</title></path>");
            }
            h.append("</g>");
        }
        double ax = axis.x(asOf);
        h.append("<line class=\"asof\" x1=\"").append(coord(ax)).append("\" x2=\"").append(coord(ax)).append("\" y1=\"").append(coord(plotTop - 8))
                .append("\" y2=\"").append(coord(plotBottom)).append("\"><title>as-of ").append(asOf).append("</title></line>")
                .append("<text class=\"tick asof-label\" x=\"").append(coord(ax)).append("\" y=\"").append(coord(plotTop - 10))
                .append("\" text-anchor=\"middle\">as-of</text></svg>");
        if (all.size() > rows.size())
            h.append("<p class=\"muted\">").append(all.size() - rows.size()).append(" more version(s) of this meter not drawn.</p>");
    }

    private static String key(PolicyVersionRow v) {
        return v.policyId() + (v.customerId() == null ? "" : " [" + v.customerId() + "]");
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "\u2026";
    }

    /** Maps instants linearly onto the plot's x range. */
    private record Axis(Instant start, Instant end) {
        double x(Instant t) {
            double span = Duration.between(start, end).toMillis();
            double off = Duration.between(start, t).toMillis();
            double f = Math.max(0, Math.min(1, off / span));
            return LABEL + f * (WIDTH - LABEL - RIGHT);
        }
    }
}
