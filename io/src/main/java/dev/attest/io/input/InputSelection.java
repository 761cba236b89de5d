package dev.attest.io.input;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which files of an input an audit reads: those whose hive date partition ({@code date=2026-11-20/},
 * {@code dt=20261120/}, {@code year=2026/month=11/day=20/} and the like) can hold rows inside the input's scan bounds.
 * A partition names the UTC day of the input's own time column (events: event_time; decisions: decided_at), the
 * layout {@code attest generate} writes; a file with no such partition is always read. Pruning uses paths only, so
 * the run identity, the staging and {@code verify} all see the same selection without opening a file.
 */
public final class InputSelection {
    private InputSelection() {}

    /** Hive keys whose value is a whole date. */
    private static final Set<String> DATE_KEYS = Set.of("date", "dt", "ds", "day", "event_date", "decided_date", "decision_date",
            "partition_date", "date_utc");

    public record Skipped(String path, String reason) {}

    public record Selection(List<InputFiles.DataFile> read, List<Skipped> skipped) {
        public Selection {
            read = List.copyOf(read);
            skipped = List.copyOf(skipped);
        }
    }

    /** The files of {@code spec} to read for rows in [from, to) (null ends open); the others with the reason they were skipped. */
    public static Selection select(String input, String spec, Instant from, Instant to) {
        List<InputFiles.DataFile> all = InputFiles.resolve(input, spec);
        if (from == null && to == null) return new Selection(all, List.of());
        List<InputFiles.DataFile> read = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (InputFiles.DataFile f : all) {
            Instant[] range = partitionRange(f.path());
            if (range != null && (from != null && !range[1].isAfter(from) || to != null && !range[0].isBefore(to)))
                skipped.add(new Skipped(f.name(), "partition " + describe(f.path()) + " is outside [" + (from == null ? "-inf" : from) + ", "
                        + (to == null ? "+inf" : to) + ")"));
            else read.add(f);
        }
        return new Selection(read, skipped);
    }

    /** The UTC time range [start, end) that a file's hive date partition covers, or null when its path names no date. */
    public static Instant[] partitionRange(Path file) {
        Map<String, String> pairs = InputFiles.hivePairs(file);
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            if (!DATE_KEYS.contains(e.getKey())) continue;
            LocalDate d = date(e.getValue());
            if (d != null) return new Instant[] {start(d), start(d.plusDays(1))};
        }
        Integer year = number(pairs.get("year")), month = number(pairs.get("month")), day = number(pairs.get("day"));
        if (year == null) return null;
        try {
            if (month == null) return new Instant[] {start(LocalDate.of(year, 1, 1)), start(LocalDate.of(year + 1, 1, 1))};
            if (day == null) return new Instant[] {start(LocalDate.of(year, month, 1)), start(LocalDate.of(year, month, 1).plusMonths(1))};
            LocalDate d = LocalDate.of(year, month, day);
            return new Instant[] {start(d), start(d.plusDays(1))};
        } catch (java.time.DateTimeException e) {
            return null; // not a date after all: read the file
        }
    }

    private static String describe(Path file) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : InputFiles.hivePairs(file).entrySet())
            if (DATE_KEYS.contains(e.getKey()) || Set.of("year", "month", "day").contains(e.getKey()))
                sb.append(sb.isEmpty() ? "" : "/").append(e.getKey()).append('=').append(e.getValue());
        return sb.toString();
    }

    private static LocalDate date(String v) {
        String s = v.trim();
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) return LocalDate.parse(s);
            if (s.matches("\\d{8}")) return LocalDate.parse(s.substring(0, 4) + "-" + s.substring(4, 6) + "-" + s.substring(6));
        } catch (DateTimeParseException e) {
            return null;
        }
        return null;
    }

    private static Integer number(String v) {
        if (v == null || !v.trim().matches("\\d{1,4}")) return null;
        return Integer.parseInt(v.trim());
    }

    private static Instant start(LocalDate d) {
        return d.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
