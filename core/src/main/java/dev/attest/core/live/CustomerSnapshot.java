package dev.attest.core.live;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.PeriodState;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * One (meter, billing period): its start state, watermark, pending events in (event_time, event_id) order, and the
     * last event its settling took ({@code settledThrough}, null before the first): a held event row that still says
     * pending and is at or before it was settled since. So settling does not write each event's row a second time (it
     * was 55% of the state's bytes); a conflict, which settles on its own, still writes its row.
     */
    public record PartRow(String meter, Instant periodStart, PeriodState seed, Instant watermark, Instant maxEventTime, Instant lastArrival,
                          List<String> pending, boolean volume, Position settledThrough) {
        public PartRow {
            pending = List.copyOf(pending);
        }

        /** As rows of earlier versions read: no settled-through position (each settled event's row says so itself). */
        public PartRow(String meter, Instant periodStart, PeriodState seed, Instant watermark, Instant maxEventTime, Instant lastArrival,
                       List<String> pending, boolean volume) {
            this(meter, periodStart, seed, watermark, maxEventTime, lastArrival, pending, volume, null);
        }
    }

    /** An event's place in its part's order: event_time, then event_id (as the rater orders them). */
    public record Position(Instant eventTime, String eventId) {
        public Position {
            if (eventTime == null || eventId == null) throw new IllegalArgumentException("a position needs an event_time and an event_id");
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
        Map<List<Object>, Position> through = new java.util.HashMap<>(); // by (meter, period start); Arrays.asList takes nulls, List.of does not
        for (PartRow p : parts) if (p.settledThrough() != null) through.put(java.util.Arrays.asList(p.meter(), p.periodStart()), p.settledThrough());
        List<EventRow> held = events.stream().map(e -> settledSince(e, through.get(java.util.Arrays.asList(e.meter(), e.periodStart())))).sorted(byEvent)
                .toList();
        // A decision's verdict is final once its event settled: settling publishes a final verdict for each decision of the event
        // (a changed one writes its mark; one that only turns final does not write it again).
        Set<String> settled = new java.util.HashSet<>();
        for (EventRow e : held) if (e.state().equals("SETTLED")) settled.add(e.first().eventId());
        return new CustomerSnapshot(head.customerId(), held,
                decisions.stream().filter(ds -> !ds.isEmpty()).sorted(java.util.Comparator.comparing(ds -> ds.get(0).eventId())).flatMap(List::stream).toList(),
                parts.stream().sorted(byPart).toList(), verdicts.stream().map(m -> m.settled() || m.eventId() == null || !settled.contains(m.eventId()) ? m
                        : new MarkRow(m.decisionId(), m.eventId(), m.seq(), m.content(), m.provisional(), true, m.unlinked()))
                        .sorted(java.util.Comparator.comparing(MarkRow::decisionId)).toList(),
                head.maxEventTime(), head.maxDecidedAt(), head.lastArrival(), head.watermark(), head.late(), head.redelivered());
    }

    /**
     * The row as it stands: a row that says pending and is at or before its part's settled-through position was settled
     * since (settling takes a part's pending events in order, and writes only the part's row). No event after that position
     * can be pending then: an event is held pending only at or after its part's watermark, and the settled ones were before
     * it (a volume part settles when the watermark has passed its period's end, the end of all its events).
     */
    private static EventRow settledSince(EventRow e, Position through) {
        if (through == null || !e.state().equals("PENDING")) return e;
        int t = e.first().event().eventTime().compareTo(through.eventTime());
        boolean settled = t < 0 || t == 0 && PeriodRater.compareEventIds(e.first().eventId(), through.eventId()) <= 0;
        return settled ? new EventRow(e.first(), "SETTLED", e.rows(), e.variants(), e.meter(), e.periodStart()) : e;
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
