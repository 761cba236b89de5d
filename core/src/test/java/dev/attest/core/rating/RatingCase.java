package dev.attest.core.rating;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One rating case file of src/test/resources/rating-cases (format in that folder's README.md): policies,
 * events, a cut-off, and per event what each knowledge view expects.
 */
record RatingCase(String file, String description, String source, String note, boolean differsFromSource, Instant cutoff,
                  List<Policy> policies, List<CaseEvent> events, BillingCycles cycles) {

    /** An event with the expectation keys of each view (keys absent are not checked). */
    record CaseEvent(RatingEvent event, JsonNode asKnown, JsonNode asCorrected) {}

    static final Instant DEFAULT_CUTOFF = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant DEFAULT_VALID_FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant DEFAULT_RECORDED_AT = Instant.parse("2025-12-01T00:00:00Z");
    static final Instant FIRST_EVENT_TIME = Instant.parse("2026-11-01T00:00:00Z");

    // Decimals in case files may be JSON numbers: read them as BigDecimal, never through double.
    private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    @Override
    public String toString() {
        return file + ": " + description;
    }

    static RatingCase load(Path path) throws IOException {
        String file = path.getFileName().toString();
        JsonNode root = JSON.readTree(Files.readString(path));
        List<Policy> policies = new ArrayList<>();
        for (JsonNode p : root.path("policies").values()) policies.add(policy(p, file));
        List<CaseEvent> events = new ArrayList<>();
        int i = 0;
        for (JsonNode e : root.path("events").values()) events.add(event(e, i++));
        return new RatingCase(file, required(root, "description").asString(), text(root, "source"), text(root, "note"),
                root.path("differs_from_source").asBoolean(false), instant(root, "cutoff", DEFAULT_CUTOFF), policies, events,
                cycles(root.path("customers")));
    }

    /** The case's customers rows (contracts section 10); none: UTC calendar months. */
    private static BillingCycles cycles(JsonNode customers) {
        java.util.Map<String, BillingCycle> byCustomer = new java.util.HashMap<>();
        for (JsonNode c : customers.values())
            byCustomer.put(required(c, "customer_id").asString(),
                    BillingCycle.parse(c.path("billing_anchor_day").asInt(1), c.has("billing_zone") ? text(c, "billing_zone") : "UTC"));
        return BillingCycles.of(byCustomer);
    }

    private static Policy policy(JsonNode p, String file) {
        String id = required(p, "policy_id").asString();
        PolicyKind kind = PolicyKind.parse(required(p, "kind").asString());
        String currency = p.has("currency") ? text(p, "currency")
                : kind == PolicyKind.PRICE || kind == PolicyKind.THRESHOLD ? "EUR" : null;
        List<PolicyVersion> versions = new ArrayList<>();
        int n = 0;
        for (JsonNode v : required(p, "versions").values()) {
            n++;
            int version = v.path("version").asInt(n);
            versions.add(new PolicyVersion(id, version, instant(v, "valid_from", DEFAULT_VALID_FROM), instant(v, "valid_to", null),
                    instant(v, "recorded_at", DEFAULT_RECORDED_AT), rule(required(v, "rule")), rounding(v.get("rounding")),
                    v.has("change_ref") ? text(v, "change_ref") : "CHG-" + id + "-" + version, text(v, "author")));
        }
        return new Policy(id, kind, p.has("meter") ? text(p, "meter") : "api_calls", text(p, "customer_id"), currency, versions, file);
    }

    static Rule rule(JsonNode r) {
        String model = required(r, "model").asString();
        return switch (model) {
            case "unit" -> new Rule.Unit(decimal(r, "unit_price"));
            case "graduated" -> new Rule.Graduated(tiers(r));
            case "volume" -> new Rule.Volume(tiers(r));
            case "package" -> new Rule.Package(decimal(r, "package_size"), decimal(r, "package_price"), decimal(r, "free_units"));
            case "percentage" -> new Rule.Percentage(decimal(r, "percent"), decimal(r, "fixed_fee"), decimal(r, "min_per_event"),
                    decimal(r, "max_per_event"));
            case "matrix" -> {
                List<String> dims = new ArrayList<>();
                for (JsonNode d : r.path("dimensions").values()) dims.add(d.asString());
                List<Rule.MatrixEntry> prices = new ArrayList<>();
                for (JsonNode e : required(r, "prices").values()) prices.add(new Rule.MatrixEntry(strings(e.get("match")), decimal(e, "unit_price")));
                yield new Rule.Matrix(dims, prices, decimal(r, "default_unit_price"));
            }
            case "discount" -> new Rule.Discount(decimal(r, "percent_off"));
            case "entitlement" -> new Rule.Entitlement(decimal(r, "limit"));
            case "threshold" -> new Rule.Threshold(decimal(r, "amount"));
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
    }

    private static List<Tier> tiers(JsonNode r) {
        List<Tier> tiers = new ArrayList<>();
        for (JsonNode t : required(r, "tiers").values()) tiers.add(new Tier(decimal(t, "up_to"), decimal(t, "unit_price"), decimal(t, "flat_fee")));
        return tiers;
    }

    private static Rounding rounding(JsonNode r) {
        return r == null || r.isNull() ? null : Rounding.of(required(r, "scale").asInt(), text(r, "mode"));
    }

    private static CaseEvent event(JsonNode e, int index) {
        RatingEvent event = new RatingEvent(required(e, "event_id").asString(),
                e.has("customer_id") ? text(e, "customer_id") : "c1",
                e.has("meter") ? text(e, "meter") : "api_calls",
                decimal(e, "quantity"),
                instant(e, "event_time", FIRST_EVENT_TIME.plus(Duration.ofMinutes(index))),
                instant(e, "known_at", null), decimal(e, "value"), strings(e.get("dimensions")));
        JsonNode both = e.path("expect");
        return new CaseEvent(event, merge(both, e.get("as_known")), merge(both, e.get("as_corrected")));
    }

    /** The view's own keys over the keys both views share. */
    private static JsonNode merge(JsonNode both, JsonNode view) {
        ObjectNode merged = JSON.createObjectNode();
        if (both.isObject()) merged.setAll((ObjectNode) both);
        if (view != null && view.isObject()) merged.setAll((ObjectNode) view);
        return merged;
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> map = new LinkedHashMap<>();
        if (n != null) for (Map.Entry<String, JsonNode> kv : n.properties()) map.put(kv.getKey(), kv.getValue().asString());
        return map;
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) throw new IllegalArgumentException("missing " + field + " in " + n);
        return v;
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    static BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        return v.isNumber() ? v.decimalValue() : new BigDecimal(v.asString());
    }

    private static Instant instant(JsonNode n, String field, Instant absent) {
        String s = text(n, field);
        return s == null ? absent : Instant.parse(s);
    }
}
