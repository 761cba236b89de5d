package dev.attest.core;

import java.time.Duration;
import java.util.Locale;

/** Durations as people write them: the two largest units, {@code 6 d 21 h}, {@code 3 h 5 min}, {@code 42 s}, {@code 0.4 s}. */
public final class Durations {
    private Durations() {}

    public static String human(Duration d) {
        if (d.isNegative()) return "-" + human(d.negated());
        long s = d.getSeconds();
        if (s < 10) return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1e3);
        long days = s / 86_400, hours = s % 86_400 / 3_600, minutes = s % 3_600 / 60, seconds = s % 60;
        if (days > 0) return days + " d" + (hours > 0 ? " " + hours + " h" : "");
        if (hours > 0) return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
        if (minutes > 0) return minutes + " min" + (seconds > 0 ? " " + seconds + " s" : "");
        return seconds + " s";
    }
}
