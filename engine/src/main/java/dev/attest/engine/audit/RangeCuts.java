package dev.attest.engine.audit;

import dev.attest.io.duck.Duck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;

/**
 * The events in the rating scope and the customer_id cuts between its ranges: the event-count quantiles of customer_id,
 * exactly as DuckDB's {@code quantile_disc(customer_id, [1/n, ..., (n-1)/n])} gives them, computed from the events counted
 * per customer. DuckDB's quantile sorts every event's customer_id (2.5 s of a 10M audit, on the critical path before any
 * range starts); counting per customer is a hash aggregate over as many groups as there are customers, and the cuts are
 * found among those counts in DuckDB, so that only the cuts come back to Java however many customers there are.
 *
 * @param events the events in scope (customer_id null included, as {@code count(*)})
 * @param ranges how many ranges the scope is rated in
 * @param cuts   the {@code ranges - 1} cuts in ascending order; empty when no event has a customer_id or there is one range
 */
record RangeCuts(long events, int ranges, List<String> cuts) {
    RangeCuts {
        cuts = java.util.Collections.unmodifiableList(new ArrayList<>(cuts)); // a cut may be repeated; never null here
    }

    private static final String COUNTS = "__attest_rate_customer_counts";

    /**
     * Counts {@code scope} (SQL from " FROM" on, over alias {@code e}) per customer once, then cuts it into the number of
     * ranges {@code rangesFor} gives for its event count.
     */
    static RangeCuts of(Duck duck, String scope, LongToIntFunction rangesFor) {
        duck.execute("CREATE OR REPLACE TEMP TABLE " + COUNTS + " AS SELECT e.customer_id AS c, count(*) AS n" + scope + " GROUP BY e.customer_id");
        try {
            Map<String, Object> sums = duck.queryRows("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) AS total, "
                    + "CAST(coalesce(sum(n) FILTER (WHERE c IS NOT NULL), 0) AS BIGINT) AS keyed FROM " + COUNTS).get(0);
            long total = ((Number) sums.get("total")).longValue(), n = ((Number) sums.get("keyed")).longValue();
            int ranges = rangesFor.applyAsInt(total);
            List<String> cuts = new ArrayList<>();
            if (ranges < 2 || n == 0) return new RangeCuts(total, ranges, cuts);
            // Cut k is the customer whose events hold position index(k) of all events in customer_id order.
            StringBuilder at = new StringBuilder();
            for (int k = 1; k < ranges; k++) at.append(k == 1 ? "" : ", ").append('(').append(k).append(", ").append(discreteIndex(n, (double) k / ranges)).append(')');
            for (Map<String, Object> row : duck.queryRows("SELECT w.c FROM (SELECT c, n, sum(n) OVER (ORDER BY c ROWS UNBOUNDED PRECEDING) AS upto FROM "
                    + COUNTS + " WHERE c IS NOT NULL) w JOIN (VALUES " + at + ") q(k, i) ON q.i >= w.upto - w.n AND q.i < w.upto ORDER BY q.k"))
                cuts.add((String) row.get("c"));
            if (cuts.size() != ranges - 1) throw new IllegalStateException("found " + cuts.size() + " of the " + (ranges - 1) + " cuts between rating ranges");
            return new RangeCuts(total, ranges, cuts);
        } finally {
            duck.execute("DROP TABLE IF EXISTS " + COUNTS);
        }
    }

    /** The 0-based position of quantile {@code q} among {@code n} sorted values, as DuckDB's discrete quantile takes it. */
    static long discreteIndex(long n, double q) {
        long floored = (long) Math.floor(n - (double) n * q);
        return Math.max(1, n - floored) - 1;
    }
}
