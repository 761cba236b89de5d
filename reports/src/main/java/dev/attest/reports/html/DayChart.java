package dev.attest.reports.html;

import static dev.attest.reports.html.Html.coord;

import dev.attest.reports.DayCount;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Findings per day as an inline SVG bar chart, stacked by severity; days without findings are drawn as zero. */
public final class DayChart {
    static final int WIDTH = 960;
    static final int HEIGHT = 240;
    static final int LEFT = 48;
    static final int RIGHT = 12;
    static final int TOP = 14;
    static final int BOTTOM = 42;
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
        long max = days.stream().mapToLong(DayCount::total).max().orElse(0);
        if (max == 0) max = 1;

        double pw = WIDTH - LEFT - RIGHT;
        double ph = HEIGHT - TOP - BOTTOM;
        double slot = pw / days.size();
        double bar = Math.max(slot * 0.8, 0.6);
        h.append("<svg class=\"chart\" id=\"day-chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"Findings per day from ").append(first).append(" to ").append(last)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        long[] ticks = max == 1 ? new long[]{0, 1} : new long[]{0, (max + 1) / 2, max};
        for (long t : ticks) {
            double y = TOP + ph - ph * t / max;
            h.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(coord(y))
                    .append("\" y2=\"").append(coord(y)).append("\"/><text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"")
                    .append(coord(y + 4)).append("\" text-anchor=\"end\">").append(t).append("</text>");
        }
        int every = (int) Math.ceil(days.size() / 10.0);
        for (int i = 0; i < days.size(); i++) {
            DayCount d = days.get(i);
            double x = LEFT + i * slot + (slot - bar) / 2;
            h.append("<g class=\"day\"><title>").append(d.day()).append(": ").append(d.total()).append(" finding(s) (critical ")
                    .append(d.critical()).append(", error ").append(d.error()).append(", warning ").append(d.warning()).append(", info ")
                    .append(d.info()).append(")</title>");
            double base = TOP + ph;
            base = stack(h, x, bar, base, ph, d.critical(), max, "critical");
            base = stack(h, x, bar, base, ph, d.error(), max, "error");
            base = stack(h, x, bar, base, ph, d.warning(), max, "warning");
            stack(h, x, bar, base, ph, d.info(), max, "info");
            h.append("</g>");
            if (i % every == 0)
                h.append("<text class=\"tick\" x=\"").append(coord(LEFT + i * slot + slot / 2)).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
                        .append("\" text-anchor=\"middle\">").append(d.day()).append("</text>");
        }
        h.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(coord(TOP + ph))
                .append("\" y2=\"").append(coord(TOP + ph)).append("\"/>");
        double lx = LEFT;
        for (String sev : new String[]{"critical", "error", "warning", "info"}) {
            h.append("<rect class=\"bar-").append(sev).append("\" x=\"").append(coord(lx)).append("\" y=\"").append(HEIGHT - 14)
                    .append("\" width=\"10\" height=\"10\"/><text class=\"tick\" x=\"").append(coord(lx + 14)).append("\" y=\"")
                    .append(HEIGHT - 5).append("\">").append(sev).append("</text>");
            lx += 90;
        }
        h.append("</svg><p class=\"muted\">Day of the event (UTC); findings without an event (orphan and unlinked decisions) count on ")
                .append("the day of the decision.</p></section>\n");
    }

    private static double stack(StringBuilder h, double x, double w, double base, double ph, long n, long max, String sev) {
        if (n == 0) return base;
        double height = ph * n / max;
        double y = base - height;
        h.append("<rect class=\"bar-").append(sev).append("\" x=\"").append(coord(x)).append("\" y=\"").append(coord(y)).append("\" width=\"")
                .append(coord(w)).append("\" height=\"").append(coord(height)).append("\"/>");
        return y;
    }
}
