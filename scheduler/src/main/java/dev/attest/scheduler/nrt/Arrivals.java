package dev.attest.scheduler.nrt;

import static dev.attest.io.duck.Duck.literal;

import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.BillingCycles;
import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputException;
import dev.attest.io.input.InputStager;
import dev.attest.io.input.InputSource;
import dev.attest.scheduler.window.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * What has arrived, per near-real-time span: the latest arrival and the row count of the events (arrival:
 * {@code ingested_at}, else event_time) and decisions (arrival: {@code decided_at}; a decision belongs to its
 * event's time and customer, or to its own decided_at and customer_id when it names no known event) that the span
 * watches. The row count is watched beside the latest arrival so that rows delivered with an old timestamp still
 * count as new. Read by the staging's own reader, so the rows counted are those the audit accepts (rows it
 * quarantines never re-audit a span on their own).
 *
 * <p>A span watches every row that can change its findings: a row of customer c at data time t changes the
 * counters of c's billing period that holds t, so the span watches it iff that period overlaps the span
 * (contracts section 10). Without customers of their own cycle, that is exactly the rows of the span's UTC month.
 * Such a row can thus count for two spans (the periods of a customer billed from the 15th overlap two UTC months).
 */
public final class Arrivals implements AutoCloseable {
    /** The arrivals a span watches; {@code latest} is null when it watches none. */
    public record Seen(Instant spanStart, Instant latest, long rows) {}

    /** Rows of a month that arrived after their window's end plus the hold, and after the given watermark. */
    public record Late(Instant windowStart, long rows, Instant latest) {}

    private final InputSource events;
    private final InputSource decisions;

    private final Map<String, Instant> landed;
    private final String assumeZone;
    /** The arrivals, read once per pass (the first question reads them; {@link #close} drops them). */
    private Duck duck;

    public Arrivals(InputSource events, InputSource decisions) {
        this(events, decisions, Map.of());
    }

    public Arrivals(InputSource events, InputSource decisions, Map<String, Instant> landed) {
        this(events, decisions, landed, null);
    }

    /**
     * {@code landed}: when each input file landed ({@link Landings}), by file name; a row's arrival is the later of
     * its own arrival column and its file's landing, so a file delivered late is late whatever its rows say.
     * {@code assumeZone}: the schedule's {@code assume_zone}, for timestamps without an offset (null: such rows are bad).
     */
    public Arrivals(InputSource events, InputSource decisions, Map<String, Instant> landed, String assumeZone) {
        this.assumeZone = assumeZone;
        this.events = events;
        this.decisions = decisions;
        this.landed = Map.copyOf(landed);
    }

    /**
     * Every arrival (data time t, arrival a, customer c), events and decisions, in a temp view {@code arrivals}. The
     * rows are read by the staging's own reader ({@link InputStager#stageArrivals}), so a pass sees what the audit
     * will see (issue 16, item 9). Inputs staging cannot read give no arrivals: the audit then stops on them, is
     * retried and alerted, and once they are fixed their rows count as new.
     */
    private void arrivals(Duck duck) {
        try {
            new InputStager(duck).stageArrivals(events, decisions, assumeZone);
        } catch (InputException | IllegalArgumentException e) {
            LoggerFactory.getLogger(Arrivals.class).warn("near-real-time: the inputs cannot be read, no arrivals seen: {}", e.getMessage());
            duck.execute("CREATE OR REPLACE TEMP TABLE arrival_events (event_id VARCHAR, customer_id VARCHAR, event_time TIMESTAMPTZ, "
                    + "ingested_at TIMESTAMPTZ, src_file VARCHAR)");
            duck.execute("CREATE OR REPLACE TEMP TABLE arrival_decisions (decision_id VARCHAR, event_id VARCHAR, customer_id VARCHAR, "
                    + "decided_at TIMESTAMPTZ, src_file VARCHAR)");
        }
        duck.execute("CREATE OR REPLACE TEMP TABLE landed (file VARCHAR PRIMARY KEY, landed_at TIMESTAMPTZ)");
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, Instant> e : landed.entrySet()) rows.add("(" + literal(e.getKey()) + ", " + ts(e.getValue()) + ")");
        for (int i = 0; i < rows.size(); i += 1000)
            duck.execute("INSERT INTO landed VALUES " + String.join(", ", rows.subList(i, Math.min(rows.size(), i + 1000))));
        // A row arrived when it was stamped, or when its file landed if that was later.
        duck.execute("CREATE OR REPLACE TEMP VIEW arrivals AS "
                + "SELECT x.event_time AS t, greatest(coalesce(x.ingested_at, x.event_time), coalesce(l.landed_at, x.ingested_at, x.event_time)) AS a, "
                + "x.customer_id AS c FROM arrival_events x LEFT JOIN landed l ON l.file = x.src_file WHERE x.event_time IS NOT NULL "
                + "UNION ALL SELECT coalesce(e.t, d.decided_at) AS t, greatest(d.decided_at, coalesce(l.landed_at, d.decided_at)) AS a, "
                + "coalesce(e.c, d.customer_id) AS c FROM arrival_decisions d LEFT JOIN landed l ON l.file = d.src_file "
                + "LEFT JOIN (SELECT event_id, min(event_time) AS t, min(customer_id) AS c FROM arrival_events GROUP BY event_id) e "
                + "ON e.event_id = d.event_id WHERE d.decided_at IS NOT NULL");
    }

    /**
     * The arrivals each span watches, keyed by span start, for data time in [from, to): a row of customer c at data
     * time t counts for a span iff c's billing period that holds t overlaps the span. For each (span, distinct
     * cycle) that is the data-time range [start of the cycle's period holding the span's start, end of the one
     * holding its last instant), computed here in Java where the period rule lives, and joined in SQL.
     */
    public Map<Instant, Seen> watched(List<Window> spans, BillingCycles cycles, Instant from, Instant to) {
        Map<Instant, Seen> out = new TreeMap<>();
        if (spans.isEmpty()) return out;
        List<BillingCycle> distinct = new ArrayList<>(cycles.distinct()); // index 0: the UTC calendar month, everyone else's
        Map<BillingCycle, Integer> index = new HashMap<>();
        for (int i = 0; i < distinct.size(); i++) index.put(distinct.get(i), i);
        {
            Duck duck = read();
            duck.execute("CREATE OR REPLACE TEMP TABLE reach (span INTEGER, cycle INTEGER, lo TIMESTAMPTZ, hi TIMESTAMPTZ)");
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < spans.size(); i++) {
                Window w = spans.get(i);
                for (int c = 0; c < distinct.size(); c++) {
                    BillingCycle cycle = distinct.get(c);
                    rows.add("(" + i + ", " + c + ", " + ts(cycle.periodOf(w.start()).start()) + ", " + ts(cycle.periodOf(w.end().minusNanos(1)).end()) + ")");
                }
            }
            for (int i = 0; i < rows.size(); i += 1000)
                duck.execute("INSERT INTO reach VALUES " + String.join(", ", rows.subList(i, Math.min(rows.size(), i + 1000))));
            String join = "", cycleOf = "0";
            if (!cycles.allCalendarMonths()) {
                duck.execute("CREATE OR REPLACE TEMP TABLE customer_cycle (customer_id VARCHAR PRIMARY KEY, cycle INTEGER)");
                List<String> cc = new ArrayList<>();
                for (Map.Entry<String, BillingCycle> e : cycles.listed().entrySet())
                    if (!e.getValue().isCalendarMonthUtc()) cc.add("(" + literal(e.getKey()) + ", " + index.get(e.getValue()) + ")");
                for (int i = 0; i < cc.size(); i += 1000)
                    duck.execute("INSERT INTO customer_cycle VALUES " + String.join(", ", cc.subList(i, Math.min(cc.size(), i + 1000))));
                join = " LEFT JOIN customer_cycle cc ON cc.customer_id = x.c";
                cycleOf = "coalesce(cc.cycle, 0)";
            }
            for (Map<String, Object> r : duck.queryRows("SELECT r.span AS span, strftime(max(x.a), '%Y-%m-%dT%H:%M:%S.%fZ') AS latest, count(*) AS n "
                    + "FROM (SELECT x.t, x.a, " + cycleOf + " AS cycle FROM arrivals x" + join + " WHERE x.t >= " + ts(from) + " AND x.t < " + ts(to) + ") x "
                    + "JOIN reach r ON r.cycle = x.cycle AND x.t >= r.lo AND x.t < r.hi GROUP BY r.span ORDER BY r.span")) {
                Instant start = spans.get(((Number) r.get("span")).intValue()).start();
                out.put(start, new Seen(start, parse((String) r.get("latest")), ((Number) r.get("n")).longValue()));
            }
        }
        return out;
    }

    /**
     * Rows with data time in [from, to) that arrived after {@code after} (null: ever) and later than their window's
     * end plus {@code hold}, per window of {@code length} counted from {@code origin}.
     */
    public List<Late> late(Instant from, Instant to, Instant after, Instant origin, Duration length, Duration hold) {
        List<Late> out = new ArrayList<>();
        long o = origin.toEpochMilli() * 1000, len = length.toMillis() * 1000;
        String windowStart = "make_timestamp(" + o + " + floor((epoch_us(t) - " + o + ") / " + len + ")::BIGINT * " + len + ")";
        {
            Duck duck = read();
            for (Map<String, Object> r : duck.queryRows("SELECT strftime(ws, '%Y-%m-%dT%H:%M:%S.%fZ') AS ws, count(*) AS n, "
                    + "strftime(max(a), '%Y-%m-%dT%H:%M:%S.%fZ') AS latest FROM (SELECT " + windowStart + " AS ws, t, a FROM arrivals "
                    + "WHERE t >= " + ts(from) + " AND t < " + ts(to) + (after == null ? "" : " AND a > " + ts(after)) + ") "
                    + "WHERE epoch_us(a) > epoch_us(ws) + " + (len + hold.toMillis() * 1000) + " GROUP BY ws ORDER BY ws")) {
                out.add(new Late(parse((String) r.get("ws")), ((Number) r.get("n")).longValue(), parse((String) r.get("latest"))));
            }
        }
        return out;
    }

    /** The arrivals of this pass, read on first use: a pass asks several questions of the same rows. */
    private Duck read() {
        if (duck == null) {
            Duck d = Duck.inMemory();
            try {
                arrivals(d);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            duck = d;
        }
        return duck;
    }

    @Override
    public void close() {
        if (duck != null) duck.close();
        duck = null;
    }

    private static String ts(Instant t) {
        return dev.attest.io.duck.Duck.literal(t);
    }

    private static Instant parse(String s) {
        return s == null ? null : OffsetDateTime.parse(s.replace("Z", "+00:00").replace(" ", "T")).toInstant();
    }
}
