package dev.attest.core.live;

import dev.attest.core.rating.RatingEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * One usage event as a stream receives it: the contract's columns (section 1). {@code event.knownAt()} is always null here:
 * the knowledge time comes from the decisions seen so far, and is set when the event is rated.
 */
public record LiveEvent(RatingEvent event, Instant ingestedAt) {
    public LiveEvent {
        if (event == null) throw new IllegalArgumentException("the event is required");
        if (event.knownAt() != null) throw new IllegalArgumentException("a received event has no knowledge time of its own");
    }

    public String eventId() {
        return event.eventId();
    }

    /**
     * Contracts section 9: two rows of one event_id are the same event when the contract's columns are equal by value
     * ({@code 1} equals {@code 1.0}, instants as instants, dimensions as maps).
     */
    public boolean sameContent(LiveEvent o) {
        RatingEvent a = event, b = o.event;
        return a.eventId().equals(b.eventId()) && a.customerId().equals(b.customerId()) && a.meter().equals(b.meter())
                && a.quantity().compareTo(b.quantity()) == 0 && a.eventTime().equals(b.eventTime())
                && (a.value() == null ? b.value() == null : b.value() != null && a.value().compareTo(b.value()) == 0)
                && a.dimensions().equals(b.dimensions()) && Objects.equals(ingestedAt, o.ingestedAt);
    }
}
