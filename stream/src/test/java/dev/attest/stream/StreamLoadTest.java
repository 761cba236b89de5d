package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.live.Verdict;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's independent reader. */
class StreamLoadTest {
    /** The reader times each decision's first verdict by its decision_id, which it reads without the rest of the verdict. */
    @Test
    void theReaderFindsEachVerdictsDecisionId() {
        for (String id : List.of("d-1", "with \"quotes\" and \\ slash", "日本", "")) {
            Verdict v = new Verdict(id + "#1", id, "e-1", "c-1", "api", "2026-01-01", Verdict.Status.FINDING, List.of("AMOUNT_MISMATCH"),
                    new BigDecimal("1.00"), new BigDecimal("2.00"), "EUR", new BigDecimal("1.00"), "p@v1", "p@v1", "p@v1",
                    Instant.parse("2026-01-05T10:00:00Z"), null, false);
            assertThat(StreamLoad.decisionId(Messages.verdict(v, Instant.parse("2026-01-05T10:00:01Z")))).isEqualTo(id);
        }
        // wherever it stands, and not a decision_id nested in another field
        assertThat(StreamLoad.decisionId("{\"codes\":[\"a\",{\"decision_id\":\"no\"}],\"x\":{\"decision_id\":\"no\"},\"decision_id\":\"yes\"}")).isEqualTo("yes");
        assertThatThrownBy(() -> StreamLoad.decisionId("{\"verdict_id\":\"v\"}")).hasMessageContaining("without a decision_id");
        assertThatThrownBy(() -> StreamLoad.decisionId("[1]")).hasMessageContaining("not a JSON object");
    }

    private static ParquetFeed.Message message(String id, String json) {
        return new ParquetFeed.Message("c-1", json, Instant.parse("2026-01-05T10:00:00Z"), 0, id);
    }

    /**
     * The load's times by decision: a decision published twice keeps its last publication (as the map it replaced did), its
     * first verdict is the one timed (with that verdict's record timestamp), a verdict of an unknown decision is ignored,
     * and each decision knows when its event was first published.
     */
    @Test
    void theLoadTimesEachDecisionByItsSlot() {
        List<ParquetFeed.Message> events = List.of(message("e-1", "{}"), message("e-2", "{}"));
        List<ParquetFeed.Message> decisions = List.of(message("d-1", "{\"event_id\":\"e-2\"}"), message("d-2", "{\"event_id\":\"e-9\"}"),
                message("d-1", "{\"event_id\":\"e-2\"}"), message("d-3", "{}"));
        StreamLoad.Times t = new StreamLoad.Times(events, decisions);
        assertThat(t.ids).containsExactly("d-1", "d-2", "d-3");
        assertThat(t.eventOf).containsExactly(1, -1, -1);

        t.eventSent("e-2", 100);
        t.eventSent("e-2", 150);
        t.sent("d-1", 110);
        t.sent("d-2", 120);
        t.sent("d-1", 130);
        assertThat(t.sentCount).isEqualTo(2);
        assertThat(t.sent).containsExactly(130, 120, 0);
        assertThat(t.eventSent).containsExactly(0, 100);

        t.read("d-1", 200, 190);
        t.read("d-1", 300, 290);
        t.read("d-unknown", 250, 240);
        assertThat(t.first).containsExactly(200, 0, 0);
        assertThat(t.stamped).containsExactly(190, 0, 0);
        assertThat(t.firstCount.get()).isEqualTo(1);
    }
}
