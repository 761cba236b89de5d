package dev.attest.core.rating;

import dev.attest.core.policy.PolicyRegistry;
import java.time.Instant;
import java.util.List;

/**
 * The billing-period fold of contracts section 4 and 9: rates one (customer, meter, month) partition in
 * both knowledge views. Pure and deterministic: the cut-off is passed in, never read from a clock.
 */
public final class PeriodRater {
    private final PolicyRegistry registry;
    private final Instant cutoff;

    public PeriodRater(PolicyRegistry registry, Instant cutoff) {
        this.registry = registry;
        this.cutoff = cutoff;
    }

    /**
     * @param partition the events of one (customer, meter, billing month), sorted by (event_time, event_id),
     *                  without events of a DUPLICATE_EVENT_CONFLICT
     * @return one ExpectedEvent per input event, in input order
     */
    public List<ExpectedEvent> rate(List<RatingEvent> partition) {
        throw new UnsupportedOperationException("TODO");
    }
}
