package dev.attest.reports.html;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** Escaping and the few number formats the report uses; every value from the data goes through {@link #esc}. */
public final class Html {
    private Html() {}

    /**
     * Escapes text for element content and for quoted attribute values (both quote kinds). U+2028/U+2029 are
     * written as character references so that no value can end a line inside the inline script's reach.
     */
    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                case '\u2028' -> "&#8232;";
                case '\u2029' -> "&#8233;";
                default -> null;
            };
            if (r == null && c < 0x20 && c != '\n' && c != '\t') r = "&#xFFFD;"; // control characters are not valid HTML text
            if (r != null) {
                if (b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
                b.append(r);
            } else if (b != null) b.append(c);
        }
        return b == null ? s : b.toString();
    }

    /** An exact decimal written plainly, without trailing zeros (1.50 -> 1.5, 10 -> 10). */
    public static String plain(BigDecimal x) {
        if (x == null) return "";
        BigDecimal s = x.stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    /** A share (0..1) as a percentage with two decimals. */
    public static String percent(BigDecimal share) {
        if (share == null) return "n/a";
        return share.movePointRight(2).setScale(2, RoundingMode.HALF_EVEN).toPlainString() + " %";
    }

    /** An SVG coordinate: one decimal, a dot whatever the locale. */
    public static String coord(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** CSS class suffix of a severity: only known words, so a hostile value can never reach a class attribute. */
    public static String severityClass(String severity) {
        if (severity == null) return "unknown";
        return switch (severity) {
            case "critical", "error", "warning", "info" -> severity;
            default -> "unknown";
        };
    }
}
