package dev.attest.core.rating;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One usage event as the rater sees it.
 *
 * @param knownAt the earliest decided_at among the event's decisions (its as-known knowledge time),
 *                or null when it has no decision (then both views use the run's cut-off)
 * @param value   monetary base for percentage pricing, or null
 * @param dimensions attributes for matrix pricing, never null (empty when absent)
 */
public record RatingEvent(String eventId, String customerId, String meter, BigDecimal quantity, Instant eventTime,
                          Instant knownAt, BigDecimal value, Map<String, String> dimensions) {
    public RatingEvent {
        if (eventId == null) throw new IllegalArgumentException("event_id is required");
        if (customerId == null) throw new IllegalArgumentException("customer_id is required");
        if (meter == null) throw new IllegalArgumentException("meter is required");
        if (quantity == null || quantity.signum() < 0) throw new IllegalArgumentException("quantity must be >= 0");
        if (eventTime == null) throw new IllegalArgumentException("event_time is required");
        if (dimensions == null) dimensions = Map.of();
    }
}
