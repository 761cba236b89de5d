package dev.attest.app;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine;

/** Command-line time values: instants must carry an offset (or be a date: midnight UTC); durations as PT1H or 90s/15m/2h/1d. */
final class Times {
    private Times() {}

    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                String v = value.trim();
                if (v.length() == 10) {
                    Instant midnight = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
                    System.err.println("attest: note: '" + v + "' read as " + midnight + " (midnight UTC)");
                    return midnight;
                }
                return java.time.OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an instant with an offset (2026-01-31T00:00:00Z) or a date (2026-01-31)");
            }
        }
    }

    /** A calendar date; the message shows the form expected instead of the parser's exception. */
    static final class DateConverter implements CommandLine.ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String value) {
            try {
                return LocalDate.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a date of the form YYYY-MM-DD (2026-03-31)");
            }
        }
    }

    /** A plain decimal number (0.01, 5); the message says so instead of quoting NumberFormatException. */
    static final class DecimalConverter implements CommandLine.ITypeConverter<BigDecimal> {
        @Override
        public BigDecimal convert(String value) {
            try {
                return new BigDecimal(value.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a decimal number (0, 0.01, 5)");
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Duration d;
            try {
                d = parse(value, v);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (PT1H, 90s, 15m, 2h, 1d)");
            }
            if (d.isNegative() || d.isZero())
                throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration (PT1H, 90s, 15m, 2h, 1d)");
            return d;
        }

        private static Duration parse(String value, String v) {
            if (v.startsWith("p")) return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        }
    }
}
