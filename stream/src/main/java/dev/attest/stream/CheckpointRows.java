package dev.attest.stream;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.live.CustomerSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectWriter;

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

    // Writers bound to their row types once: a row then skips the root type's lookup (rows are most of a commit's records).
    private static final ObjectWriter EVENT = Messages.JSON.writerFor(CustomerSnapshot.EventRow.class),
            DECISIONS = Messages.JSON.writerFor(DecisionRecord[].class), PART = Messages.JSON.writerFor(CustomerSnapshot.PartRow.class),
            MARK = Messages.JSON.writerFor(CustomerSnapshot.MarkRow.class);

    /** The records of one customer's changes: key and value (null: tombstone). */
    public static void write(CustomerSnapshot.Changes ch, BiConsumer<String, String> out) {
        String c = ch.customerId();
        out.accept(key("h", c), Messages.snapshot(ch.head()));
        ch.events().forEach((id, row) -> out.accept(key("e", c, id), row == null ? null : EVENT.writeValueAsString(row)));
        ch.decisions().forEach((id, ds) -> out.accept(key("d", c, id), ds == null ? null : DECISIONS.writeValueAsString(ds.toArray(DecisionRecord[]::new))));
        for (CustomerSnapshot.PartRow p : ch.parts()) out.accept(key("p", c, p.meter(), p.periodStart().toString()), PART.writeValueAsString(p));
        ch.verdicts().forEach((id, row) -> out.accept(key("v", c, id), row == null ? null : MARK.writeValueAsString(row)));
    }

    /** The record of where an input partition resumes (the next offset to read). */
    public static void offset(String topic, int partition, long next, BiConsumer<String, String> out) {
        out.accept(key("o", topic, String.valueOf(partition)), String.valueOf(next));
    }

    /** The row's key, as Jackson writes the list [kind, customer, ids...] (compaction matches keys byte for byte). */
    static String key(String kind, String customer, String... ids) {
        StringBuilder b = new StringBuilder(64).append("[\"").append(kind).append('"');
        if (!plain(customer, b)) return jacksonKey(kind, customer, ids);
        for (String id : ids) if (!plain(id, b)) return jacksonKey(kind, customer, ids);
        return b.append(']').toString();
    }

    /** Appends {@code ,"s"} when {@code s} needs no JSON escape (most ids): the common key without Jackson's per-call set-up. */
    private static boolean plain(String s, StringBuilder b) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f) return false;
        }
        b.append(",\"").append(s).append('"');
        return true;
    }

    private static String jacksonKey(String kind, String customer, String... ids) {
        List<String> k = new ArrayList<>(2 + ids.length);
        k.add(kind);
        k.add(customer);
        k.addAll(List.of(ids));
        return Messages.JSON.writeValueAsString(k);
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
                    case "e" -> events.computeIfAbsent(c, x -> new ArrayList<>()).add(Messages.JSON.readValue(v, CustomerSnapshot.EventRow.class));
                    case "d" -> decisions.computeIfAbsent(c, x -> new ArrayList<>()).add(List.of(Messages.JSON.readValue(v, DecisionRecord[].class)));
                    case "p" -> parts.computeIfAbsent(c, x -> new ArrayList<>()).add(Messages.JSON.readValue(v, CustomerSnapshot.PartRow.class));
                    case "v" -> marks.computeIfAbsent(c, x -> new ArrayList<>()).add(Messages.JSON.readValue(v, CustomerSnapshot.MarkRow.class));
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
