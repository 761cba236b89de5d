package dev.attest.core.live;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.rating.PeriodState;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;

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

    /**
     * A whole snapshot from its head and its rows (as {@link Changes} wrote them, the latest of each), in the order
     * {@code snapshot} gives: rows by key, decisions by event and each event's in arrival order.
     */
    public static CustomerSnapshot of(CustomerSnapshot head, java.util.Collection<EventRow> events, java.util.Collection<List<DecisionRecord>> decisions,
                                      java.util.Collection<PartRow> parts, java.util.Collection<MarkRow> verdicts) {
        java.util.Comparator<EventRow> byEvent = java.util.Comparator.comparing(r -> r.first().eventId());
        java.util.Comparator<PartRow> byPart = java.util.Comparator.comparing(PartRow::meter).thenComparing(PartRow::periodStart);
        return new CustomerSnapshot(head.customerId(), events.stream().sorted(byEvent).toList(),
                decisions.stream().filter(ds -> !ds.isEmpty()).sorted(java.util.Comparator.comparing(ds -> ds.get(0).eventId())).flatMap(List::stream).toList(),
                parts.stream().sorted(byPart).toList(), verdicts.stream().sorted(java.util.Comparator.comparing(MarkRow::decisionId)).toList(),
                head.maxEventTime(), head.maxDecidedAt(), head.lastArrival(), head.watermark(), head.late(), head.redelivered());
    }

    /** The customer's own fields without any row: the head of an incremental checkpoint. */
    public CustomerSnapshot head() {
        return new CustomerSnapshot(customerId, List.of(), List.of(), List.of(), List.of(), maxEventTime, maxDecidedAt, lastArrival, watermark, late,
                redelivered);
    }

    /**
     * What changed in one customer's state since the last checkpoint, row by row, so that a checkpoint costs what changed
     * and not the whole customer. A null value: the row is gone. Parts are written without their pending list (it follows
     * from the events: those pending in the part, in (event_time, event_id) order).
     *
     * @param head      the customer's own fields ({@link #head()}), written with every change
     * @param events    by event_id
     * @param decisions by event_id: every decision naming that event
     * @param verdicts  by decision_id
     */
    public record Changes(CustomerSnapshot head, Map<String, EventRow> events, Map<String, List<DecisionRecord>> decisions, List<PartRow> parts,
                          Map<String, MarkRow> verdicts) {
        public Changes {
            if (head == null) throw new IllegalArgumentException("the customer's head is required");
            events = Collections.unmodifiableMap(events);
            decisions = Collections.unmodifiableMap(decisions);
            parts = List.copyOf(parts);
            verdicts = Collections.unmodifiableMap(verdicts);
        }

        public String customerId() {
            return head.customerId();
        }
    }
}
