package dev.attest.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.rating.PeriodState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessagesTest {
    @Test
    void eventsReadExactDecimalsInstantsWithOffsetsAndDimensionsAsObjectOrText() throws Exception {
        LiveEvent e = Messages.event("{\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":0.1,\"event_time\":\"2026-01-05T11:00:00+01:00\","
                + "\"value\":\"12.345\",\"dimensions\":\"{\\\"region\\\":\\\"eu\\\"}\",\"extra\":true}", Map.of());
        assertThat(e.event().quantity()).isEqualTo(new BigDecimal("0.1"));
        assertThat(e.event().eventTime()).isEqualTo(Instant.parse("2026-01-05T10:00:00Z"));
        assertThat(e.event().dimensions()).isEqualTo(Map.of("region", "eu"));
        LiveEvent mapped = Messages.event("{\"id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"1\",\"ts\":\"2026-01-05T10:00:00Z\"}",
                Messages.fieldMap("{\"id\":\"event_id\",\"ts\":\"event_time\"}"));
        assertThat(mapped.eventId()).isEqualTo("e1");
    }

    @Test
    void badMessagesSayWhy() {
        assertThatThrownBy(() -> Messages.event("{", Map.of())).hasMessageStartingWith("unparsable JSON");
        assertThatThrownBy(() -> Messages.event("[1]", Map.of())).hasMessage("not a JSON object");
        assertThatThrownBy(() -> Messages.event("{\"event_id\":\"e\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"-1\",\"event_time\":\"2026-01-05T10:00:00Z\"}",
                Map.of())).hasMessage("quantity must be >= 0, got -1");
        assertThatThrownBy(() -> Messages.event("{\"event_id\":\"e\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":1,\"event_time\":\"2026-01-05T10:00:00\"}",
                Map.of())).hasMessageContaining("is not an instant with an offset");
        assertThatThrownBy(() -> Messages.decision("{\"decision_id\":\"d\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"charged\",\"amount\":true,"
                + "\"currency\":\"EUR\",\"decided_at\":\"2026-01-05T10:00:00Z\"}", Map.of())).hasMessage("amount: expected a decimal, got boolean");
        assertThatThrownBy(() -> Messages.decision("{\"decision_id\":\"d\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"maybe\",\"amount\":1,"
                + "\"currency\":\"EUR\",\"decided_at\":\"2026-01-05T10:00:00Z\"}", Map.of())).hasMessageContaining("charged or denied");
    }

    @Test
    void aCheckpointReadsBackAsItWasWritten() throws Exception {
        LiveEvent e = Messages.event("{\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":\"1.500000000\",\"event_time\":\"2026-01-05T10:00:00Z\","
                + "\"dimensions\":{\"r\":\"eu\"}}", Map.of());
        DecisionRecord d = Messages.decision("{\"decision_id\":\"d\",\"event_id\":\"e1\",\"customer_id\":\"c\",\"meter\":\"m\",\"outcome\":\"charged\",\"amount\":\"0.10\","
                + "\"currency\":\"EUR\",\"price_policy_id\":\"p\",\"price_version\":2,\"decided_at\":\"2026-01-05T10:00:01Z\"}", Map.of());
        CustomerSnapshot s = new CustomerSnapshot("c", List.of(new CustomerSnapshot.EventRow(e, "PENDING", 2, List.of(e), "m", Instant.parse("2026-01-01T00:00:00Z"))),
                List.of(d), List.of(new CustomerSnapshot.PartRow("m", Instant.parse("2026-01-01T00:00:00Z"), new PeriodState(new BigDecimal("3.5"), false,
                        new BigDecimal("3.5"), true), null, Instant.parse("2026-01-05T10:00:00Z"), Instant.now(), List.of("e1"), false)),
                List.of(new CustomerSnapshot.MarkRow("d", "e1", 1, "x", false, false, false)), null, d.decidedAt(), Instant.now(), null, 0, 1);
        assertThat(Messages.snapshot(Messages.snapshot(s))).isEqualTo(s);

        // As rows keyed per part of the state: the latest of each key, tombstones removing theirs, give the customer back.
        CheckpointRows.Reader rows = new CheckpointRows.Reader();
        LiveEvent gone = Messages.event("{\"event_id\":\"e|0\",\"customer_id\":\"c\",\"meter\":\"m\",\"quantity\":1,\"event_time\":\"2026-01-05T09:00:00Z\"}", Map.of());
        CheckpointRows.write(new CustomerSnapshot.Changes(s.head(), Map.of("e|0", new CustomerSnapshot.EventRow(gone, "SETTLED", 1, List.of(gone), "m",
                Instant.parse("2026-01-01T00:00:00Z"))), Map.of(), List.of(), Map.of()), rows::add);
        java.util.Map<String, CustomerSnapshot.EventRow> events = new java.util.HashMap<>();
        events.put("e1", s.events().get(0));
        events.put("e|0", null);
        java.util.Map<String, List<DecisionRecord>> decisions = new java.util.HashMap<>(Map.of("e1", List.of(d)));
        CheckpointRows.write(new CustomerSnapshot.Changes(s.head(), events, decisions, List.of(s.parts().get(0)), Map.of("d", s.verdicts().get(0))),
                rows::add);
        assertThat(rows.snapshots()).containsExactly(s);
    }
}
