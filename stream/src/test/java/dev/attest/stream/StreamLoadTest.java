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
}
