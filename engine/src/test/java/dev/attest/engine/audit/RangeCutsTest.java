package dev.attest.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.io.duck.Duck;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ranges' cuts from counts per customer are the cuts DuckDB's {@code quantile_disc} gives over every event (the rating's
 * ranges, hence which slice rates which customer, must not depend on how the cuts are computed).
 */
class RangeCutsTest {
    private Duck duck;

    @BeforeEach
    void open() {
        duck = Duck.inMemory();
        duck.execute("CREATE TABLE events_unique (customer_id VARCHAR)");
    }

    @AfterEach
    void close() {
        duck.close();
    }

    private static final String SCOPE = " FROM events_unique e WHERE TRUE";

    private List<String> quantileDisc(int ranges) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int k = 1; k < ranges; k++) q.append(k == 1 ? "" : ", ").append(k).append(" / ").append(ranges);
        List<String> cuts = new ArrayList<>();
        try (Statement st = duck.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT quantile_disc(e.customer_id, [" + q + "])" + SCOPE)) {
            rs.next();
            if (rs.getObject(1) instanceof Array a) for (Object c : (Object[]) a.getArray()) cuts.add(c == null ? null : c.toString());
        }
        return cuts;
    }

    @Test
    void cutsFromCountsPerCustomerAreDuckDbsDiscreteQuantiles() throws Exception {
        Random random = new Random(12);
        for (int round = 0; round < 40; round++) {
            duck.execute("DELETE FROM events_unique");
            int customers = 1 + random.nextInt(round < 10 ? 4 : 300);
            StringBuilder values = new StringBuilder();
            long rows = 0;
            for (int c = 0; c < customers; c++) {
                // Skewed: now and then one customer holds more than a range's share; ids not in insertion order.
                int n = random.nextInt(10) == 0 ? 1 + random.nextInt(5_000) : 1 + random.nextInt(round % 3 == 0 ? 3 : 60);
                String id = "c-" + Integer.toString(random.nextInt(100_000), 36);
                values.append(values.length() == 0 ? "" : ", ").append("('").append(id).append("', ").append(n).append(')');
                rows += n;
            }
            duck.execute("INSERT INTO events_unique SELECT id FROM (VALUES " + values + ") v(id, n), range(n)");
            if (round % 4 == 1) duck.execute("INSERT INTO events_unique SELECT NULL FROM range(" + (1 + random.nextInt(50)) + ")");
            long total = duck.queryLong("SELECT count(*)" + SCOPE);
            for (int ranges = 2; ranges <= 12; ranges++) {
                int r = ranges;
                RangeCuts cuts = RangeCuts.of(duck, SCOPE, events -> r);
                assertThat(cuts.events()).as("round %d: events", round).isEqualTo(total);
                assertThat(cuts.cuts()).as("round %d, %d ranges over %d rows of %d customers", round, ranges, rows, customers)
                        .isEqualTo(quantileDisc(ranges));
            }
        }
    }

    @Test
    void noEventsNoCutsAndOneRangeNoCuts() throws Exception {
        assertThat(RangeCuts.of(duck, SCOPE, events -> 4)).isEqualTo(new RangeCuts(0, 4, List.of()));
        assertThat(quantileDisc(4)).isEmpty();
        duck.execute("INSERT INTO events_unique VALUES ('a'), ('b'), (NULL)");
        assertThat(RangeCuts.of(duck, SCOPE, events -> 1)).isEqualTo(new RangeCuts(3, 1, List.of()));
    }
}
