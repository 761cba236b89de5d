package dev.attest.engine.audit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;

/**
 * The events in the rating scope and the customer_id cuts between its ranges: the event-count quantiles of customer_id,
 * exactly as DuckDB's {@code quantile_disc(customer_id, [1/n, ..., (n-1)/n])} gives them, computed from the events counted
 * per customer. DuckDB's quantile sorts every event's customer_id (2.5 s of a 10M audit, on the critical path before any
 * range starts); counting per customer is a hash aggregate over as many groups as there are customers.
 *
 * @param events the events in scope (customer_id null included, as {@code count(*)})
 * @param cuts   the {@code ranges - 1} cuts in ascending order; empty when no event has a customer_id or there is one range
 */
record RangeCuts(long events, List<String> cuts) {
    RangeCuts {
        cuts = java.util.Collections.unmodifiableList(new ArrayList<>(cuts)); // a cut may be repeated; never null here
    }

    /**
     * Counts {@code scope} (SQL from " FROM" on, over alias {@code e}) per customer once, then cuts it into the number of
     * ranges {@code rangesFor} gives for its event count.
     */
    static RangeCuts of(Connection conn, String scope, LongToIntFunction rangesFor) throws SQLException {
        List<String> customers = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        long total = 0;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT e.customer_id, count(*)" + scope + " GROUP BY e.customer_id ORDER BY e.customer_id NULLS LAST")) {
            while (rs.next()) {
                long n = rs.getLong(2);
                total += n;
                String c = rs.getString(1);
                if (c != null) {
                    customers.add(c);
                    counts.add(n);
                }
            }
        }
        int ranges = rangesFor.applyAsInt(total);
        List<String> cuts = new ArrayList<>();
        long n = 0;
        for (long c : counts) n += c;
        if (ranges < 2 || n == 0) return new RangeCuts(total, cuts);
        int at = 0;
        long before = 0; // events of the customers before customers[at]
        for (int k = 1; k < ranges; k++) {
            long index = discreteIndex(n, (double) k / ranges);
            while (before + counts.get(at) <= index) before += counts.get(at++);
            cuts.add(customers.get(at));
        }
        return new RangeCuts(total, cuts);
    }

    /** The 0-based position of quantile {@code q} among {@code n} sorted values, as DuckDB's discrete quantile takes it. */
    static long discreteIndex(long n, double q) {
        long floored = (long) Math.floor(n - (double) n * q);
        return Math.max(1, n - floored) - 1;
    }
}
