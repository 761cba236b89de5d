package dev.attest.scheduler.nrt;

import static dev.attest.io.duck.Duck.literal;

import dev.attest.io.duck.Duck;
import dev.attest.io.input.InputFiles;
import dev.attest.io.input.InputSource;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What has arrived, per UTC billing month: the latest arrival and the row count of the month's events (arrival:
 * {@code ingested_at}, else event_time) and decisions (arrival: {@code decided_at}; a decision belongs to its
 * event's month, or to its decided_at month when it names no known event). The row count is watched beside the
 * latest arrival so that rows delivered with an old timestamp still count as new. Read with DuckDB straight from
 * the input files, without the audit's validation: bad rows only make a re-audit that reports them.
 */
public final class Arrivals {
    /** One month's arrivals. */
    public record Month(Instant start, Instant latest, long rows) {}

    /** Rows of a month that arrived after their window's end plus the hold, and after the given watermark. */
    public record Late(Instant windowStart, long rows, Instant latest) {}

    private final InputSource events;
    private final InputSource decisions;

    public Arrivals(InputSource events, InputSource decisions) {
        this.events = events;
        this.decisions = decisions;
    }

    private String view(Duck duck, String name, InputSource s, String... columns) {
        String from;
        if (s instanceof InputSource.Sql q) from = "(" + q.query() + ")";
        else {
            List<String> parts = new ArrayList<>();
            for (InputFiles.DataFile f : InputFiles.resolve(name, ((InputSource.Files) s).path())) {
                parts.add(switch (f.format()) {
                    case PARQUET -> "SELECT * FROM read_parquet(" + literal(f.name()) + ", union_by_name=true)";
                    case CSV -> "SELECT * FROM read_csv(" + literal(f.name()) + ", header=true, all_varchar=true)";
                    case JSONL -> "SELECT * FROM read_json(" + literal(f.name()) + ", format='newline_delimited')";
                });
            }
            from = "(" + String.join(" UNION ALL BY NAME ", parts) + ")";
        }
        duck.execute("CREATE OR REPLACE TEMP VIEW " + name + "_raw AS SELECT * FROM " + from);
        List<String> present = new ArrayList<>();
        for (Map<String, Object> r : duck.queryRows("DESCRIBE " + name + "_raw")) present.add(String.valueOf(r.get("column_name")).toLowerCase(Locale.ROOT));
        List<String> select = new ArrayList<>();
        for (String c : columns)
            select.add(present.contains(c) ? "TRY_CAST(" + Duck.ident(c) + " AS " + (c.endsWith("_id") ? "VARCHAR" : "TIMESTAMPTZ") + ") AS " + c
                    : "NULL AS " + c);
        duck.execute("CREATE OR REPLACE TEMP VIEW " + name + " AS SELECT " + String.join(", ", select) + " FROM " + name + "_raw");
        return name;
    }

    /** Every arrival (data time t, arrival a), events and decisions, in a temp view {@code arrivals}. */
    private void arrivals(Duck duck) {
        view(duck, "ev", events, "event_id", "event_time", "ingested_at");
        view(duck, "de", decisions, "decision_id", "event_id", "decided_at");
        duck.execute("CREATE OR REPLACE TEMP VIEW arrivals AS "
                + "SELECT event_time AS t, coalesce(ingested_at, event_time) AS a FROM ev WHERE event_time IS NOT NULL "
                + "UNION ALL SELECT coalesce(e.t, d.decided_at) AS t, d.decided_at AS a FROM de d "
                + "LEFT JOIN (SELECT event_id, min(event_time) AS t FROM ev GROUP BY event_id) e ON e.event_id = d.event_id "
                + "WHERE d.decided_at IS NOT NULL");
    }

    /** Arrivals per UTC month of data time, for data in [from, to). */
    public Map<Instant, Month> months(Instant from, Instant to) {
        Map<Instant, Month> out = new TreeMap<>();
        try (Duck duck = Duck.inMemory()) {
            arrivals(duck);
            for (Map<String, Object> r : duck.queryRows("SELECT strftime(date_trunc('month', t), '%Y-%m') AS m, "
                    + "strftime(max(a), '%Y-%m-%dT%H:%M:%S.%fZ') AS latest, count(*) AS n FROM arrivals WHERE t >= " + ts(from) + " AND t < " + ts(to)
                    + " GROUP BY 1 ORDER BY 1")) {
                Instant start = YearMonth.parse((String) r.get("m")).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                out.put(start, new Month(start, parse((String) r.get("latest")), ((Number) r.get("n")).longValue()));
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
        try (Duck duck = Duck.inMemory()) {
            arrivals(duck);
            for (Map<String, Object> r : duck.queryRows("SELECT strftime(ws, '%Y-%m-%dT%H:%M:%S.%fZ') AS ws, count(*) AS n, "
                    + "strftime(max(a), '%Y-%m-%dT%H:%M:%S.%fZ') AS latest FROM (SELECT " + windowStart + " AS ws, t, a FROM arrivals "
                    + "WHERE t >= " + ts(from) + " AND t < " + ts(to) + (after == null ? "" : " AND a > " + ts(after)) + ") "
                    + "WHERE epoch_us(a) > epoch_us(ws) + " + (len + hold.toMillis() * 1000) + " GROUP BY ws ORDER BY ws")) {
                out.add(new Late(parse((String) r.get("ws")), ((Number) r.get("n")).longValue(), parse((String) r.get("latest"))));
            }
        }
        return out;
    }

    private static String ts(Instant t) {
        return "TIMESTAMPTZ '" + t + "'";
    }

    private static Instant parse(String s) {
        return s == null ? null : OffsetDateTime.parse(s.replace("Z", "+00:00").replace(" ", "T")).toInstant();
    }
}
