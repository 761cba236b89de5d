package dev.attest.core.live;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.rating.PeriodState;
import java.time.Instant;
import java.util.List;

/**
 * Everything a live audit holds for one customer, as plain records: what a stream checkpoints in the same transaction as
 * the verdicts it caused. Expectations are not in it: they follow from the events, decisions and start states.
 */
public record CustomerSnapshot(String customerId, List<EventRow> events, List<DecisionRecord> decisions, List<PartRow> parts,
                               List<MarkRow> verdicts, Instant maxEventTime, Instant maxDecidedAt, Instant lastArrival, Instant watermark,
                               long late, long redelivered) {
    public CustomerSnapshot {
        if (customerId == null) throw new IllegalArgumentException("customer_id is required");
        events = List.copyOf(events);
        decisions = List.copyOf(decisions);
        parts = List.copyOf(parts);
        verdicts = List.copyOf(verdicts);
    }

    /** An event held (pending, in conflict, or settled within the horizon), every distinct copy of it and how many rows came. */
    public record EventRow(LiveEvent first, String state, int rows, List<LiveEvent> variants, String meter, Instant periodStart) {
        public EventRow {
            variants = List.copyOf(variants);
        }
    }

    /** One (meter, billing period): its start state, watermark, and pending events in (event_time, event_id) order. */
    public record PartRow(String meter, Instant periodStart, PeriodState seed, Instant watermark, Instant maxEventTime, Instant lastArrival,
                          List<String> pending, boolean volume) {
        public PartRow {
            pending = List.copyOf(pending);
        }
    }

    /** The last verdict published for a decision: its number and content, so a restart never publishes it again. */
    public record MarkRow(String decisionId, String eventId, int seq, String content, boolean provisional, boolean settled, boolean unlinked) {}
}
