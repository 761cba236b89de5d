package dev.attest.stream;

import java.time.Instant;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;

/**
 * An instant as {@link Instant#toString()} writes it ({@code yyyy-MM-ddTHH:mm:ss[.SSS|.SSSSSS|.SSSSSSSSS]Z}), without a
 * {@code DateTimeFormatter}: the formatter was 8.6% of the stream thread's samples at 10,000 decisions/s (each checkpoint
 * row and verdict writes two to four instants). Years outside 0000-9999 go to {@code toString()} itself.
 */
final class InstantText {
    private InstantText() {}

    private static final long MIN = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long MAX = 253_402_300_799L; // 9999-12-31T23:59:59Z

    static String of(Instant t) {
        long s = t.getEpochSecond();
        if (s < MIN || s > MAX) return t.toString();
        char[] b = new char[30];
        return new String(b, 0, write(s, t.getNano(), b));
    }

    /** Appends the text to {@code b}, without a String of its own. */
    static StringBuilder append(StringBuilder b, Instant t) {
        long s = t.getEpochSecond();
        if (s < MIN || s > MAX) return b.append(t);
        char[] c = new char[30];
        return b.append(c, 0, write(s, t.getNano(), c));
    }

    /** Writes the text into {@code b} (at least 30 chars) and returns its length. */
    private static int write(long epochSecond, int nano, char[] b) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secs = (int) Math.floorMod(epochSecond, 86_400L);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm: eras of 400 years starting on March 1).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int doe = (int) (z - era * 146_097);
        int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int mp = (5 * doy + 2) / 153;
        int day = doy - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        int year = (int) (yoe + era * 400) + (month <= 2 ? 1 : 0);
        two(b, 0, year / 100);
        two(b, 2, year % 100);
        b[4] = '-';
        two(b, 5, month);
        b[7] = '-';
        two(b, 8, day);
        b[10] = 'T';
        two(b, 11, secs / 3600);
        b[13] = ':';
        two(b, 14, secs / 60 % 60);
        b[16] = ':';
        two(b, 17, secs % 60);
        int n = 19;
        if (nano != 0) { // in groups of three digits, as ISO_INSTANT prints them
            b[n++] = '.';
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
            int v = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1000 : nano;
            for (int i = n + digits - 1; i >= n; i--) {
                b[i] = (char) ('0' + v % 10);
                v /= 10;
            }
            n += digits;
        }
        b[n++] = 'Z';
        return n;
    }

    private static void two(char[] b, int at, int v) {
        b[at] = (char) ('0' + v / 10);
        b[at + 1] = (char) ('0' + v % 10);
    }

    /** Jackson's writer for instants in the stream's messages and checkpoint rows: the same text, written faster. */
    static final class Serializer extends ValueSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeString(of(value));
        }
    }
}
