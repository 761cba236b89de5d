package dev.attest.reports;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a backfill preview's report.html shows (issue 15): the same facts as its summary.json and impact.csv, as small
 * aggregates computed by the caller. Lines are in the order shown (largest change first).
 *
 * @param events     the event counts of summary.json ({@code in_window}, {@code to_correct}, ...), in their order
 * @param findings   findings of the window as the books stand, per code
 * @param lines      the impact lines shown, at most {@link #LINE_LIMIT}; {@code totalLines} counts them all
 */
public record BackfillPreview(String previewId, String programVersion, Instant from, Instant to, Instant asOf, String scope,
                              Map<String, Long> events, List<Total> totals, List<String> correctingVersions, Map<String, Long> findings,
                              List<Line> lines, long totalLines, String applyCommand) {
    public static final int LINE_LIMIT = 1_000;

    public BackfillPreview {
        if (previewId == null || asOf == null) throw new IllegalArgumentException("preview id and as-of are required");
        events = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(events));
        totals = List.copyOf(totals);
        correctingVersions = List.copyOf(correctingVersions);
        findings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(findings));
        lines = List.copyOf(lines);
        if (lines.size() > LINE_LIMIT) throw new IllegalArgumentException("at most " + LINE_LIMIT + " lines");
    }

    /** Per currency: lines, events affected, what the books hold, what they should, and the change split into credits and debits. */
    public record Total(String currency, long lines, long events, BigDecimal before, BigDecimal after, BigDecimal delta, BigDecimal credits,
                        BigDecimal debits) {}

    /** One impact line: a customer's meter in a billing period and invoice. */
    public record Line(String customerId, String meter, String billingPeriod, String invoiceId, String currency, long eventsAffected,
                       long eventsRestated, BigDecimal before, BigDecimal after, BigDecimal delta, String versionsBefore, String versionsAfter,
                       String correctingVersions) {}
}
