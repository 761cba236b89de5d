package dev.attest.io.input;

import java.time.Instant;

/**
 * What an audit needs to read of each input, on its own time column: events with event_time in
 * {@code [eventsFrom, eventsTo)} (the rating scope), decisions with decided_at at or after {@code decisionsFrom}.
 * A null end is open. Staging skips whole files whose hive date partition lies outside (by path alone) and pushes the
 * same bounds into Parquet scans, where row-group statistics skip what cannot match.
 */
public record ScanBounds(Instant eventsFrom, Instant eventsTo, Instant decisionsFrom) {
    /** Everything: a full audit without --from/--to. */
    public static final ScanBounds ALL = new ScanBounds(null, null, null);

    public ScanBounds {
        if (eventsFrom != null && eventsTo != null && !eventsTo.isAfter(eventsFrom))
            throw new IllegalArgumentException("empty scan bounds [" + eventsFrom + ", " + eventsTo + ")");
    }

    public boolean isAll() {
        return eventsFrom == null && eventsTo == null && decisionsFrom == null;
    }

    /** The bounds of one input: events both ends, decisions from below only (a decision may come any time after its event). */
    public Instant from(String input) {
        return "events".equals(input) ? eventsFrom : decisionsFrom;
    }

    public Instant to(String input) {
        return "events".equals(input) ? eventsTo : null;
    }
}
