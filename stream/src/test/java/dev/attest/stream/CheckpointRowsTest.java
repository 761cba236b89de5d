package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import java.time.Instant;
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
}
