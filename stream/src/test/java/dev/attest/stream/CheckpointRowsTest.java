package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The checkpoint rows' text. */
class CheckpointRowsTest {
    private static final Instant MONTH = Instant.parse("2026-01-01T00:00:00Z");

    /** An event row is written with its event serialized once; the text must be what Jackson writes for the whole row. */
    @Test
    void anEventRowIsTheTextJacksonWritesForIt() throws Exception {
        Random rnd = new Random(3);
        String[] texts = {"m", "naïve \"m\"", "tab\there", "日本", "\u0001"};
        for (int i = 0; i < 2_000; i++) {
            String dims = rnd.nextBoolean() ? "" : ",\"dimensions\":{\"region\":\"" + (rnd.nextBoolean() ? "eu" : "us \\\"x\\\"") + "\",\"tier\":\"1\"}";
            LiveEvent e = Messages.event("{\"event_id\":\"e" + i + "\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"" + rnd.nextInt(1000) + "."
                    + rnd.nextInt(100) + "\",\"event_time\":\"2026-01-05T10:00:0" + rnd.nextInt(10) + "." + rnd.nextInt(1000) + "Z\"" + dims + "}", Map.of());
            LiveEvent other = Messages.event("{\"event_id\":\"e" + i + "\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"2\",\"event_time\":\"2026-01-05T10:00:00Z\"}",
                    Map.of());
            List<LiveEvent> variants = switch (rnd.nextInt(3)) {
                case 0 -> List.of(e);
                case 1 -> List.of(e, other);
                default -> List.of(other, e);
            };
            String meter = rnd.nextInt(6) == 0 ? null : texts[rnd.nextInt(texts.length)];
            Instant period = rnd.nextInt(6) == 0 ? null : MONTH.plusSeconds(rnd.nextInt(1_000_000)).plusNanos(rnd.nextInt(3) * 1_000_000L);
            CustomerSnapshot.EventRow row = new CustomerSnapshot.EventRow(e, rnd.nextBoolean() ? "PENDING" : "SETTLED", rnd.nextInt(5), variants, meter, period);
            String expected = CheckpointRows.ROWS.writerFor(CustomerSnapshot.EventRow.class).writeValueAsString(row);
            assertThat(CheckpointRows.eventRow(row)).isEqualTo(expected);
            assertThat(CheckpointRows.ROWS.readValue(expected, CustomerSnapshot.EventRow.class)).isEqualTo(row);
        }
    }

    // Texts and numbers that take Jackson's other paths: escapes, non-ASCII, exponents, negative and long scales.
    private static final String[] TEXTS = {"m", "naïve \"m\"", "tab\there", "日本", "\u0001", "back\\slash", "", "del\u007f", "a/b"};
    private static final String[] NUMBERS = {"0", "1", "-2.50", "1E+3", "1.0E-7", "0.0000001", "123456789012345678901234567890.123456789", "0E-10"};

    private static String text(Random rnd) {
        return rnd.nextInt(4) == 0 ? TEXTS[rnd.nextInt(TEXTS.length)] : "id-" + rnd.nextInt(100_000);
    }

    private static String maybeText(Random rnd) {
        return rnd.nextInt(3) == 0 ? null : text(rnd);
    }

    private static BigDecimal number(Random rnd) {
        return new BigDecimal(NUMBERS[rnd.nextInt(NUMBERS.length)]);
    }

    private static Instant instant(Random rnd) {
        long nanos = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(1000) * 1_000_000L;
            case 2 -> rnd.nextInt(1_000_000) * 1000L;
            default -> rnd.nextInt(1_000_000_000);
        };
        // now and then a year that InstantText leaves to Instant.toString
        long seconds = rnd.nextInt(50) == 0 ? 300_000_000_000L : MONTH.getEpochSecond() + rnd.nextInt(100_000_000);
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static Instant maybeInstant(Random rnd) {
        return rnd.nextInt(3) == 0 ? null : instant(rnd);
    }

    private static Integer maybeInt(Random rnd) {
        return rnd.nextInt(3) == 0 ? null : rnd.nextInt(20);
    }

    private static LiveEvent event(Random rnd) {
        Map<String, String> dims = new LinkedHashMap<>();
        for (int i = rnd.nextInt(3); i > 0; i--) dims.put(text(rnd), text(rnd));
        RatingEvent e = new RatingEvent(text(rnd), text(rnd), text(rnd), number(rnd).abs(), instant(rnd), null, rnd.nextBoolean() ? null : number(rnd),
                rnd.nextBoolean() ? Map.of() : dims);
        return new LiveEvent(e, maybeInstant(rnd));
    }

    /**
     * Every row kind as {@link RowText} writes it is the text Jackson writes for it ({@code ROWS}; the head: {@code
     * Messages.snapshot}), and reads back to the row: the restore reads rows with Jackson, and compaction compares keys.
     */
    @Test
    void everyRowIsTheTextJacksonWritesForIt() throws Exception {
        Random rnd = new Random(11);
        for (int i = 0; i < 3_000; i++) {
            List<LiveEvent> variants = new ArrayList<>(List.of(event(rnd)));
            for (int v = rnd.nextInt(3); v > 0; v--) variants.add(rnd.nextInt(variants.size() + 1), event(rnd));
            CustomerSnapshot.EventRow er = new CustomerSnapshot.EventRow(variants.get(rnd.nextInt(variants.size())), rnd.nextBoolean() ? "PENDING" : "CONFLICT",
                    rnd.nextInt(5), variants, maybeText(rnd), maybeInstant(rnd));
            same(CheckpointRows.eventRow(er), er, CustomerSnapshot.EventRow.class);

            List<DecisionRecord> ds = new ArrayList<>();
            for (int d = 1 + rnd.nextInt(3); d > 0; d--)
                ds.add(new DecisionRecord(text(rnd), maybeText(rnd), maybeText(rnd), maybeText(rnd), rnd.nextBoolean() ? Outcome.CHARGED : Outcome.DENIED,
                        number(rnd), maybeText(rnd), maybeText(rnd), maybeInt(rnd), maybeText(rnd), maybeInt(rnd), maybeText(rnd), maybeInt(rnd), instant(rnd),
                        maybeText(rnd)));
            String dt = RowText.decisions(ds);
            assertThat(dt).isEqualTo(CheckpointRows.ROWS.writeValueAsString(ds.toArray(DecisionRecord[]::new)));
            assertThat(List.of(CheckpointRows.ROWS.readValue(dt, DecisionRecord[].class))).isEqualTo(ds);

            List<String> pending = new ArrayList<>();
            for (int k = rnd.nextInt(4); k > 0; k--) pending.add(text(rnd));
            CustomerSnapshot.PartRow pr = new CustomerSnapshot.PartRow(text(rnd), instant(rnd),
                    rnd.nextInt(5) == 0 ? null : new PeriodState(number(rnd).abs(), rnd.nextBoolean(), number(rnd).abs(), rnd.nextBoolean()), maybeInstant(rnd),
                    maybeInstant(rnd), maybeInstant(rnd), pending, rnd.nextBoolean(), rnd.nextBoolean() ? null : new CustomerSnapshot.Position(instant(rnd), text(rnd)));
            same(RowText.part(pr), pr, CustomerSnapshot.PartRow.class);

            CustomerSnapshot.MarkRow mr = new CustomerSnapshot.MarkRow(text(rnd), maybeText(rnd), rnd.nextInt(1000), maybeText(rnd), rnd.nextBoolean(),
                    rnd.nextBoolean(), rnd.nextBoolean());
            same(RowText.mark(mr), mr, CustomerSnapshot.MarkRow.class);

            CustomerSnapshot head = new CustomerSnapshot(text(rnd), List.of(), List.of(), List.of(), List.of(), maybeInstant(rnd), maybeInstant(rnd),
                    maybeInstant(rnd), maybeInstant(rnd), rnd.nextInt(3) == 0 ? Long.MAX_VALUE : rnd.nextInt(100), rnd.nextInt(100));
            assertThat(RowText.head(head)).isEqualTo(Messages.snapshot(head));
            assertThat(Messages.snapshot(RowText.head(head))).isEqualTo(head);
        }
    }

    private static <T> void same(String text, T row, Class<T> type) {
        assertThat(text).isEqualTo(CheckpointRows.ROWS.writerFor(type).writeValueAsString(row));
        assertThat(CheckpointRows.ROWS.readValue(text, type)).isEqualTo(row);
    }
}
