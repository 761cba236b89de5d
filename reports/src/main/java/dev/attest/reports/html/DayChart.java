package dev.attest.reports.html;

import static dev.attest.reports.html.Html.coord;

import dev.attest.reports.DayCount;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Findings per day as inline SVG bars, one row per severity on its own scale; days without findings are drawn as zero. */
public final class DayChart {
    static final int WIDTH = 960;
    /** Height of one severity's row. */
    static final int ROW = 64;
    static final int LEFT = 70;
    static final int RIGHT = 12;
    static final int TOP = 14;
    static final int BOTTOM = 24;
    /** Beyond this many days the chart would be unreadable per day: the axis then spans the last days only. */
    static final int MAX_DAYS = 400;

    private DayChart() {}

    public static void append(StringBuilder h, List<DayCount> counts) {
        h.append("<section id=\"per-day\"><h2>Findings per day</h2>");
        if (counts.isEmpty()) {
            h.append("<p>No findings.</p></section>\n");
            return;
        }
        TreeMap<LocalDate, DayCount> byDay = new TreeMap<>();
        for (DayCount c : counts) byDay.merge(c.day(), c, (a, b) -> new DayCount(a.day(), a.critical() + b.critical(),
                a.error() + b.error(), a.warning() + b.warning(), a.info() + b.info()));
        LocalDate last = byDay.lastKey();
        LocalDate first = byDay.firstKey();
        long span = ChronoUnit.DAYS.between(first, last) + 1;
        if (span > MAX_DAYS) {
            first = last.minusDays(MAX_DAYS - 1);
            h.append("<p class=\"muted\">The findings span ").append(span).append(" days; the chart shows the last ").append(MAX_DAYS)
                    .append(".</p>");
        }
        List<DayCount> days = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) days.add(byDay.getOrDefault(d, new DayCount(d, 0, 0, 0, 0)));
        // One row per severity, each on its own scale: 500 info findings a day must not flatten 2 critical ones into
        // a pixel. Each bar's title gives the day's counts of every severity.
        String[] sevs = {"critical", "error", "warning", "info"};
        long[] max = new long[4];
        for (DayCount d : days) {
            long[] n = {d.critical(), d.error(), d.warning(), d.info()};
            for (int k = 0; k < 4; k++) max[k] = Math.max(max[k], n[k]);
        }
        double pw = WIDTH - LEFT - RIGHT;
        double slot = pw / days.size();
        double bar = Math.max(slot * 0.8, 0.6);
        int rowHeight = ROW, height = TOP + 4 * rowHeight + BOTTOM;
        h.append("<svg class=\"chart\" id=\"day-chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"Findings per day and severity from ").append(first).append(" to ").append(last)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (int k = 0; k < 4; k++) {
            double top = TOP + k * rowHeight, ph = rowHeight - 16, base = top + ph;
            h.append("<text class=\"label\" x=\"").append(LEFT - 6).append("\" y=\"").append(coord(top + 10)).append("\" text-anchor=\"end\">")
                    .append(sevs[k]).append("</text><text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(coord(top + 24))
                    .append("\" text-anchor=\"end\">max ").append(max[k]).append("</text>");
            h.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(coord(base))
                    .append("\" y2=\"").append(coord(base)).append("\"/>");
            if (max[k] == 0) {
                h.append("<text class=\"tick\" x=\"").append(LEFT + 6).append("\" y=\"").append(coord(base - 6)).append("\">none</text>");
                continue;
            }
            for (int i = 0; i < days.size(); i++) {
                DayCount d = days.get(i);
                long n = new long[] {d.critical(), d.error(), d.warning(), d.info()}[k];
                if (n == 0) continue;
                double x = LEFT + i * slot + (slot - bar) / 2;
                // At least 2 px: a day with one finding stays visible beside a day with hundreds.
                double hgt = Math.max(2, ph * n / max[k]);
                h.append("<g class=\"day\"><title>").append(d.day()).append(": ").append(n).append(' ').append(sevs[k]).append(" (of ")
                        .append(d.total()).append(" finding(s): critical ").append(d.critical()).append(", error ").append(d.error())
                        .append(", warning ").append(d.warning()).append(", info ").append(d.info()).append(")</title><rect class=\"bar-")
                        .append(sevs[k]).append("\" x=\"").append(coord(x)).append("\" y=\"").append(coord(base - hgt)).append("\" width=\"")
                        .append(coord(bar)).append("\" height=\"").append(coord(hgt)).append("\"/></g>");
            }
        }
        int every = (int) Math.ceil(days.size() / 10.0);
        for (int i = 0; i < days.size(); i += every)
            h.append("<text class=\"tick\" x=\"").append(coord(LEFT + i * slot + slot / 2)).append("\" y=\"").append(height - BOTTOM + 16)
                    .append("\" text-anchor=\"middle\">").append(days.get(i).day()).append("</text>");
        h.append("</svg><p class=\"muted\">One row per severity, each on its own scale (its maximum on the left). Day of the event ")
                .append("(UTC); findings without an event (orphan and unlinked decisions) count on the day of the decision.</p></section>\n");
    }
}
