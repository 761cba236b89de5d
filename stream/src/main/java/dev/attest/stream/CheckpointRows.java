package dev.attest.stream;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.rating.PeriodState;
import dev.attest.core.rating.RatingEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checkpoint on the compacted state topic, one record per row of a customer's state, so that a transaction writes
 * what changed (a few small rows per message) rather than every changed customer whole. Key: a JSON array
 * {@code [kind, customer_id, id...]} (any id reads back); kinds: {@code h} the customer's own fields, {@code e} an event
 * (by event_id), {@code d} the decisions naming an event (by event_id), {@code p} a part (meter, period start),
 * {@code v} a decision's last verdict (by decision_id); and {@code ["o", topic, partition]} the input offset to resume
 * from, written in the same transaction as what its records caused. A row that is gone is a tombstone, so compaction
 * keeps the latest of each key and drops what was pruned.
 */
public final class CheckpointRows {
    private CheckpointRows() {}

    /**
     * The rows' values are JSON arrays of their records' components in declaration order (nested records likewise), not
     * objects: the same values without field names, about half the bytes (an event row 346 -> 184). The state topic was
     * the stream's largest output, about 900 bytes a message at 10,000 decisions/s, and the broker compacts all of it.
     * Rows that an earlier version wrote as objects are still read ({@link Reader}).
     */
    static final JsonMapper ROWS = compact(Messages.JSON, CustomerSnapshot.EventRow.class, LiveEvent.class, RatingEvent.class, DecisionRecord.class,
            CustomerSnapshot.PartRow.class, CustomerSnapshot.Position.class, PeriodState.class, CustomerSnapshot.MarkRow.class);

    private static JsonMapper compact(JsonMapper base, Class<?>... types) {
        JsonFormat.Value array = JsonFormat.Value.forShape(JsonFormat.Shape.ARRAY);
        JsonMapper.Builder b = base.rebuild();
        for (Class<?> t : types) b = b.withConfigOverride(t, o -> o.setFormat(array));
        return b.build();
    }

    /**
     * The records of one customer's changes: key and value (null: tombstone). The values are written by {@link RowText}, the
     * same text Jackson writes for the rows with {@link #ROWS} (and reads back on restore).
     */
    public static void write(CustomerSnapshot.Changes ch, BiConsumer<String, String> out) {
        String c = ch.customerId();
        out.accept(key("h", c), RowText.head(ch.head()));
        ch.events().forEach((id, row) -> out.accept(key("e", c, id), row == null ? null : eventRow(row)));
        ch.decisions().forEach((id, ds) -> out.accept(key("d", c, id), ds == null ? null : RowText.decisions(ds)));
        for (CustomerSnapshot.PartRow p : ch.parts()) out.accept(key("p", c, p.meter(), InstantText.of(p.periodStart())), RowText.part(p));
        ch.verdicts().forEach((id, row) -> out.accept(key("v", c, id), row == null ? null : RowText.mark(row)));
    }

    /**
     * An event row's text, with its event written once: the row holds the event as its first copy and again among its
     * variants (the same instance), and the event is most of the row's bytes and of the time to write it.
     */
    static String eventRow(CustomerSnapshot.EventRow r) {
        StringBuilder b = RowText.liveEvent(new StringBuilder(256 * (1 + r.variants().size())).append('['), r.first());
        String first = b.substring(1);
        RowText.string(b.append(','), r.state()).append(',').append(r.rows()).append(",[");
        for (int i = 0; i < r.variants().size(); i++) {
            LiveEvent v = r.variants().get(i);
            if (i > 0) b.append(',');
            if (v == r.first()) b.append(first);
            else RowText.liveEvent(b, v);
        }
        RowText.string(b.append("],"), r.meter()).append(',');
        if (r.periodStart() == null) b.append("null");
        else InstantText.append(b.append('"'), r.periodStart()).append('"');
        return b.append(']').toString();
    }

    /**
     * The key of the tombstone a stream's producers write in a transaction of their own at start-up (a producer's first
     * commit is slow at the broker): a tombstone, which every reader skips, of a key no row has.
     */
    public static final String START_KEY = "[\"w\"]";

    /** The record of where an input partition resumes (the next offset to read). */
    public static void offset(String topic, int partition, long next, BiConsumer<String, String> out) {
        out.accept(key("o", topic, String.valueOf(partition)), String.valueOf(next));
    }

    /**
     * The row's key, as Jackson writes the list [kind, customer, ids...] (compaction matches keys byte for byte): each
     * element is written as Jackson writes a lone string, which is how it writes a list's elements.
     */
    static String key(String kind, String customer, String... ids) {
        StringBuilder b = RowText.string(new StringBuilder(64).append("[\"").append(kind).append("\","), customer);
        for (String id : ids) RowText.string(b.append(','), id);
        return b.append(']').toString();
    }

    /** Collects the latest record of each key (in the order read) and gives each customer's whole snapshot. */
    public static final class Reader {
        private final Map<String, String> latest = new LinkedHashMap<>();
        private final Map<String, Long> offsets = new HashMap<>();

        public void add(String key, String value) {
            if (key == null) throw new IllegalStateException("a state record without a key");
            if (key.startsWith("[\"o\",")) {
                List<String> k = parseKey(key);
                if (k.size() != 3 || value == null) throw new IllegalStateException("state record '" + key + "' is not an input offset");
                offsets.put(k.get(1) + "|" + k.get(2), Long.parseLong(value));
            } else latest.put(key, value);
        }

        /** Where {@code topic}'s {@code partition} resumes, or null: no transaction ever read from it. */
        public Long offset(String topic, int partition) {
            return offsets.get(topic + "|" + partition);
        }

        public List<CustomerSnapshot> snapshots() {
            Map<String, CustomerSnapshot> heads = new LinkedHashMap<>();
            Map<String, List<CustomerSnapshot.EventRow>> events = new HashMap<>();
            Map<String, List<List<DecisionRecord>>> decisions = new HashMap<>();
            Map<String, List<CustomerSnapshot.PartRow>> parts = new HashMap<>();
            Map<String, List<CustomerSnapshot.MarkRow>> marks = new HashMap<>();
            for (Map.Entry<String, String> en : latest.entrySet()) {
                if (en.getValue() == null) continue;
                List<String> k = parseKey(en.getKey());
                String c = k.get(1), v = en.getValue();
                switch (k.get(0)) {
                    case "h" -> heads.put(c, Messages.snapshot(v));
                    case "e" -> events.computeIfAbsent(c, x -> new ArrayList<>()).add(row(v, CustomerSnapshot.EventRow.class));
                    case "d" -> decisions.computeIfAbsent(c, x -> new ArrayList<>()).add(List.of(row(v, DecisionRecord[].class)));
                    case "p" -> parts.computeIfAbsent(c, x -> new ArrayList<>()).add(row(v, CustomerSnapshot.PartRow.class));
                    case "v" -> marks.computeIfAbsent(c, x -> new ArrayList<>()).add(row(v, CustomerSnapshot.MarkRow.class));
                    default -> throw new IllegalStateException("state record of unknown kind: " + en.getKey());
                }
            }
            List<CustomerSnapshot> out = new ArrayList<>();
            for (Map.Entry<String, CustomerSnapshot> h : heads.entrySet()) {
                String c = h.getKey();
                out.add(CustomerSnapshot.of(h.getValue(), events.getOrDefault(c, List.of()), decisions.getOrDefault(c, List.of()),
                        parts.getOrDefault(c, List.of()), marks.getOrDefault(c, List.of())));
            }
            return out;
        }

        /** A row's value: arrays as this version writes them, or objects (decisions: an array of objects) as earlier ones did. */
        private static <T> T row(String value, Class<T> type) {
            boolean objects = value.startsWith("{") || value.startsWith("[{"); // as Jackson writes them: no spaces
            return (objects ? Messages.JSON : ROWS).readValue(value, type);
        }

        private static List<String> parseKey(String key) {
            try {
                if (key.startsWith("[")) {
                    List<String> k = List.of(Messages.JSON.readValue(key, String[].class));
                    if (k.size() >= 2) return k;
                }
            } catch (JacksonException e) {
                // falls through: not a row key
            }
            throw new IllegalStateException("state record '" + key + "' is not a checkpoint row of this version (a state topic written by an "
                    + "earlier version holds whole customers): use a new --group-id or delete the state topic");
        }
    }
}
