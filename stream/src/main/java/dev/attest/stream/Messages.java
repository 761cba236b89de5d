package dev.attest.stream;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.findings.Finding;
import dev.attest.core.live.CustomerSnapshot;
import dev.attest.core.live.Emission;
import dev.attest.core.live.LiveEvent;
import dev.attest.core.live.Verdict;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stream's messages: events and decisions in (JSON objects with the contract's columns, sections 1 and 3; a field map
 * renames other names first), verdicts, findings, dead letters and checkpoints out. Money and quantities are decimal text
 * or JSON numbers read exactly (never through a double); instants need an offset, as in every other input.
 */
public final class Messages {
    static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .addModule(new tools.jackson.databind.module.SimpleModule("attest-instants").addSerializer(Instant.class, new InstantText.Serializer()))
            .build();

    private Messages() {}

    /** A message that breaks the contract: it goes to the dead-letter topic with this reason. */
    public static final class BadMessage extends Exception {
        public BadMessage(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A field map ({@code {"their_name": "contract_name"}}), from JSON text; null or blank: none. */
    public static Map<String, String> fieldMap(String json) {
        if (json == null || json.isBlank()) return Map.of();
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("a field map is a JSON object of their name to the contract's name, like {\"id\":\"event_id\"}: "
                    + e.getOriginalMessage());
        }
        if (!n.isObject()) throw new IllegalArgumentException("a field map is a JSON object, like {\"id\":\"event_id\"}");
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isString()) throw new IllegalArgumentException("field map: '" + e.getKey() + "' must map to a column name");
            m.put(e.getKey(), e.getValue().asString());
        }
        return m;
    }

    static ObjectNode object(String text, Map<String, String> map) throws BadMessage {
        if (text == null) throw new BadMessage("empty message (no value)");
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new BadMessage("unparsable JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) throw new BadMessage("not a JSON object");
        ObjectNode o = (ObjectNode) n;
        if (map.isEmpty()) return o;
        ObjectNode renamed = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> e : o.properties()) renamed.set(map.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        return renamed;
    }

    public static LiveEvent event(String text, Map<String, String> map) throws BadMessage {
        ObjectNode o = object(text, map);
        BigDecimal quantity = decimal(o, "quantity", true);
        if (quantity.signum() < 0) throw new BadMessage("quantity must be >= 0, got " + quantity.toPlainString());
        try {
            RatingEvent e = new RatingEvent(string(o, "event_id", true), string(o, "customer_id", true), string(o, "meter", true), quantity,
                    instant(o, "event_time", true), null, decimal(o, "value", false), dimensions(o));
            return new LiveEvent(e, instant(o, "ingested_at", false));
        } catch (IllegalArgumentException e) {
            throw new BadMessage(e.getMessage());
        }
    }

    public static DecisionRecord decision(String text, Map<String, String> map) throws BadMessage {
        ObjectNode o = object(text, map);
        Outcome outcome;
        try {
            outcome = Outcome.parse(string(o, "outcome", true));
        } catch (IllegalArgumentException e) {
            throw new BadMessage(e.getMessage());
        }
        String currency = string(o, "currency", true);
        try {
            return new DecisionRecord(string(o, "decision_id", true), string(o, "event_id", false), string(o, "customer_id", true),
                    string(o, "meter", true), outcome, decimal(o, "amount", true), currency, string(o, "price_policy_id", false),
                    integer(o, "price_version"), string(o, "discount_policy_id", false), integer(o, "discount_version"),
                    string(o, "entitlement_policy_id", false), integer(o, "entitlement_version"), instant(o, "decided_at", true),
                    string(o, "invoice_id", false));
        } catch (IllegalArgumentException e) {
            throw new BadMessage(e.getMessage());
        }
    }

    private static JsonNode field(ObjectNode o, String name, boolean required) throws BadMessage {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) {
            if (required) throw new BadMessage("missing required field " + name);
            return null;
        }
        return n;
    }

    private static String string(ObjectNode o, String name, boolean required) throws BadMessage {
        JsonNode n = field(o, name, required);
        if (n == null) return null;
        if (!n.isString()) throw new BadMessage(name + ": expected a string, got " + kind(n));
        String s = n.asString();
        if (s.isEmpty()) { // empty text is null, as an empty CSV field is (contracts section 9)
            if (required) throw new BadMessage("missing required field " + name + " (empty)");
            return null;
        }
        return s;
    }

    private static BigDecimal decimal(ObjectNode o, String name, boolean required) throws BadMessage {
        JsonNode n = field(o, name, required);
        if (n == null) return null;
        if (n.isNumber()) return n.decimalValue();
        if (n.isString()) {
            try {
                return new BigDecimal(n.asString().trim());
            } catch (NumberFormatException e) {
                throw new BadMessage(name + ": '" + n.asString() + "' is not a decimal number");
            }
        }
        throw new BadMessage(name + ": expected a decimal, got " + kind(n));
    }

    private static Integer integer(ObjectNode o, String name) throws BadMessage {
        BigDecimal d = decimal(o, name, false);
        if (d == null) return null;
        try {
            return d.intValueExact();
        } catch (ArithmeticException e) {
            throw new BadMessage(name + ": expected an integer, got " + d.toPlainString());
        }
    }

    private static Instant instant(ObjectNode o, String name, boolean required) throws BadMessage {
        String s = string(o, name, required);
        if (s == null) return null;
        try {
            String t = s.trim();
            Instant fast = utcInstant(t);
            return fast != null ? fast : OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadMessage(name + ": '" + s + "' is not an instant with an offset (like 2026-11-24T13:05:00Z)");
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, the shape producers write, read without a formatter (a tenth of a stream's
     * check went to parsing instants); null for anything else, which {@link OffsetDateTime#parse} then reads or refuses.
     */
    static Instant utcInstant(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || n == 21 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':' || n > 20 && t.charAt(19) != '.') return null;
        int year = digits(t, 0, 4), month = digits(t, 5, 7), day = digits(t, 8, 10), hour = digits(t, 11, 13), minute = digits(t, 14, 16),
                second = digits(t, 17, 19);
        int nano = 0;
        if (n > 20) {
            int f = digits(t, 20, n - 1);
            if (f < 0) return null;
            nano = f;
            for (int i = n - 1 - 20; i < 9; i++) nano *= 10;
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
            return null;
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) return null;
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nano);
    }

    /** The decimal number in {@code t[from, to)}, or -1 when a character is not a digit. */
    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char ch = t.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static Map<String, String> dimensions(ObjectNode o) throws BadMessage {
        JsonNode n = field(o, "dimensions", false);
        if (n == null) return Map.of();
        if (n.isString()) {
            try {
                n = JSON.readTree(n.asString());
            } catch (JacksonException e) {
                throw new BadMessage("dimensions: not a JSON object: " + e.getOriginalMessage());
            }
        }
        if (!n.isObject()) throw new BadMessage("dimensions: expected an object, got " + kind(n));
        Map<String, String> m = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (v.isNull()) continue;
            m.put(e.getKey(), v.isString() ? v.asString() : v.toString());
        }
        return m;
    }

    private static String kind(JsonNode n) {
        return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- out ----

    /**
     * A verdict's JSON, written field by field (one per decision, the stream's most frequent output): the same text as the
     * object tree it was built as before, at about half the cost, and without {@code ObjectNode.put(String, boolean)}, whose
     * rarely true {@code settled} sent the JIT's compiled code back to the interpreter 16,000 times in a 90 s bench.
     */
    public static String verdict(Verdict v, Instant emittedAt) {
        java.io.StringWriter w = new java.io.StringWriter(512);
        try (tools.jackson.core.JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            string(g, "verdict_id", v.verdictId());
            string(g, "decision_id", v.decisionId());
            string(g, "event_id", v.eventId());
            string(g, "customer_id", v.customerId());
            string(g, "meter", v.meter());
            string(g, "billing_period", v.billingPeriod());
            string(g, "status", v.status().wire());
            g.writeArrayPropertyStart("codes");
            for (String c : v.codes()) g.writeString(c);
            g.writeEndArray();
            string(g, "expected_amount", plain(v.expectedAmount()));
            string(g, "actual_amount", plain(v.actualAmount()));
            string(g, "currency", v.currency());
            string(g, "money_effect", plain(v.moneyEffect()));
            string(g, "version_as_known", v.versionAsKnown());
            string(g, "version_as_corrected", v.versionAsCorrected());
            string(g, "version_applied", v.versionApplied());
            string(g, "decided_at", text(v.decidedAt()));
            string(g, "supersedes", v.supersedes());
            g.writeName("settled");
            g.writeRawValue(v.settled() ? "true" : "false");
            string(g, "emitted_at", text(emittedAt));
            g.writeEndObject();
        }
        return w.toString();
    }

    private static void string(tools.jackson.core.JsonGenerator g, String name, String value) {
        if (value == null) g.writeNullProperty(name);
        else g.writeStringProperty(name, value);
    }

    /** A settled finding with the columns of findings.csv (contracts section 5 and issue 14's money). */
    public static String finding(Emission.Settled s, String runId) {
        Finding f = s.finding();
        ObjectNode o = JSON.createObjectNode();
        o.put("run_id", runId);
        o.put("fingerprint", s.fingerprint());
        o.put("code", f.code().name());
        o.put("severity", f.severity().wire());
        o.put("event_id", f.eventId());
        o.put("decision_id", f.decisionId());
        o.put("customer_id", f.customerId());
        o.put("meter", f.meter());
        o.put("event_time", text(f.eventTime()));
        o.put("decided_at", text(f.decidedAt()));
        o.put("expected_amount", plain(f.expectedAmount()));
        o.put("actual_amount", plain(f.actualAmount()));
        o.put("expected_outcome", f.expectedOutcome());
        o.put("actual_outcome", f.actualOutcome());
        o.put("difference", plain(f.difference()));
        o.put("currency", f.currency());
        o.put("version_as_known", f.versionAsKnown());
        o.put("version_as_corrected", f.versionAsCorrected());
        o.put("version_applied", f.versionApplied());
        o.put("explanation", f.explanation());
        o.put("money_class", f.moneyClass() == null ? null : f.moneyClass().wire());
        o.put("money_amount", plain(f.moneyAmount()));
        o.put("money_effect", plain(f.moneyEffect()));
        o.put("invoice_id", f.invoiceId());
        o.put("billing_period", s.billingPeriod());
        return o.toString();
    }

    /** A dead letter: why, where it came from (topic, partition, offset), and the message as it was. */
    public static String deadLetter(String reason, String topic, int partition, long offset, String key, String value) {
        ObjectNode o = JSON.createObjectNode();
        o.put("reason", reason);
        o.put("source_topic", topic);
        o.put("source_partition", partition);
        o.put("source_offset", offset);
        o.put("key", key);
        o.put("value", value);
        return o.toString();
    }

    /** Data later than the hold: flagged on the dead-letter topic with its source offset, left to the nightly audit. */
    public static String late(Emission.Late l, String topic, int partition, long offset) {
        ObjectNode o = JSON.createObjectNode();
        o.put("reason", "late: " + l.reason());
        o.put("late", true);
        o.put("kind", l.kind());
        o.put("id", l.id());
        o.put("customer_id", l.customerId());
        o.put("time", text(l.time()));
        o.put("watermark", text(l.watermark()));
        o.put("source_topic", topic);
        o.put("source_partition", partition);
        o.put("source_offset", offset);
        return o.toString();
    }

    public static String snapshot(CustomerSnapshot s) {
        return JSON.writeValueAsString(s);
    }

    public static CustomerSnapshot snapshot(String text) {
        return JSON.readValue(text, CustomerSnapshot.class);
    }

    private static String plain(BigDecimal x) {
        return x == null ? null : x.toPlainString();
    }

    private static String text(Instant t) {
        return t == null ? null : InstantText.of(t);
    }
}
