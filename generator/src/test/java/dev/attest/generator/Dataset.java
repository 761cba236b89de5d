package dev.attest.generator;

import dev.attest.core.findings.DecisionRecord;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import dev.attest.core.rating.BillingCycle;
import dev.attest.core.rating.Outcome;
import dev.attest.io.duck.Duck;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * A generated folder read back the way an auditor would: Parquet through DuckDB, policies from YAML, the customers
 * input (billing cycles, by customer, in file order) from customers.csv, truth.json.
 */
record Dataset(Path dir, JsonNode truth, List<EventRow> events, List<DecisionRecord> decisions, List<Policy> policies,
               Map<String, BillingCycle> customers) {

    /** One events row as written (value and dimensions may be null). */
    record EventRow(String eventId, String customerId, String meter, BigDecimal quantity, Instant eventTime, Instant ingestedAt,
                    BigDecimal value, String dimensions) {
        boolean sameContent(EventRow o) {
            return customerId.equals(o.customerId) && meter.equals(o.meter) && quantity.compareTo(o.quantity) == 0
                    && eventTime.equals(o.eventTime) && java.util.Objects.equals(ingestedAt, o.ingestedAt)
                    && (value == null ? o.value == null : o.value != null && value.compareTo(o.value) == 0)
                    && dims().equals(o.dims());
        }

        Map<String, String> dims() {
            if (dimensions == null) return Map.of();
            Map<String, String> m = new LinkedHashMap<>();
            JSON.readTree(dimensions).properties().forEach(e -> m.put(e.getKey(), e.getValue().asString()));
            return m;
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final YAMLMapper YAML = YAMLMapper.builder().build();

    static Dataset read(Path dir) throws IOException {
        JsonNode truth = JSON.readTree(Files.readString(dir.resolve("truth.json")));
        List<EventRow> events = new ArrayList<>();
        List<DecisionRecord> decisions = new ArrayList<>();
        try (Duck duck = Duck.inMemory()) {
            for (Map<String, Object> r : duck.queryRows("SELECT * FROM read_parquet(" + Duck.literal(dir.resolve("events") + "/*.parquet") + ")")) {
                events.add(new EventRow((String) r.get("event_id"), (String) r.get("customer_id"), (String) r.get("meter"),
                        (BigDecimal) r.get("quantity"), instant(r.get("event_time")), instant(r.get("ingested_at")),
                        (BigDecimal) r.get("value"), (String) r.get("dimensions")));
            }
            for (Map<String, Object> r : duck.queryRows("SELECT * FROM read_parquet(" + Duck.literal(dir.resolve("decisions") + "/*.parquet") + ")")) {
                decisions.add(new DecisionRecord((String) r.get("decision_id"), (String) r.get("event_id"), (String) r.get("customer_id"),
                        (String) r.get("meter"), Outcome.parse((String) r.get("outcome")), (BigDecimal) r.get("amount"),
                        (String) r.get("currency"), (String) r.get("price_policy_id"), (Integer) r.get("price_version"),
                        (String) r.get("discount_policy_id"), (Integer) r.get("discount_version"),
                        (String) r.get("entitlement_policy_id"), (Integer) r.get("entitlement_version"), instant(r.get("decided_at")),
                        (String) r.get("invoice_id")));
            }
        }
        List<Policy> policies = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("policies"))) {
            for (Path f : files.sorted().toList()) policies.add(policy(YAML.readTree(Files.readString(f)), f.getFileName().toString()));
        }
        Map<String, BillingCycle> customers = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(dir.resolve(Generator.CUSTOMERS_FILE));
        if (!lines.get(0).equals("customer_id,billing_anchor_day,billing_zone"))
            throw new IllegalStateException("customers.csv header: " + lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            if (customers.put(f[0], BillingCycle.parse(Integer.parseInt(f[1]), f[2])) != null)
                throw new IllegalStateException("customers.csv lists " + f[0] + " twice");
        }
        return new Dataset(dir, truth, events, decisions, policies, customers);
    }

    static Instant instant(Object o) {
        if (o == null) return null;
        if (o instanceof OffsetDateTime odt) return odt.toInstant();
        if (o instanceof java.sql.Timestamp ts) return ts.toInstant();
        throw new IllegalArgumentException("not a timestamp: " + o.getClass());
    }

    // ---- a minimal policy-file reader, for the tests only (the real loader lives in io) ----

    static Policy policy(JsonNode n, String source) {
        String id = n.get("policy_id").asString();
        List<PolicyVersion> versions = new ArrayList<>();
        for (JsonNode v : n.get("versions")) {
            JsonNode r = v.get("rounding");
            versions.add(new PolicyVersion(id, v.get("version").asInt(), Instant.parse(v.get("valid_from").asString()),
                    v.hasNonNull("valid_to") ? Instant.parse(v.get("valid_to").asString()) : null,
                    Instant.parse(v.get("recorded_at").asString()), rule(v.get("rule")),
                    r == null || r.isNull() ? null : Rounding.of(r.get("scale").asInt(), r.get("mode").asString()),
                    v.hasNonNull("change_ref") ? v.get("change_ref").asString() : null,
                    v.hasNonNull("author") ? v.get("author").asString() : null));
        }
        return new Policy(id, PolicyKind.parse(n.get("kind").asString()), n.get("meter").asString(),
                n.hasNonNull("customer_id") ? n.get("customer_id").asString() : null,
                n.hasNonNull("currency") ? n.get("currency").asString() : null, versions, source);
    }

    static Rule rule(JsonNode r) {
        return switch (r.get("model").asString()) {
            case "unit" -> new Rule.Unit(dec(r, "unit_price"));
            case "graduated" -> new Rule.Graduated(tiers(r));
            case "volume" -> new Rule.Volume(tiers(r));
            case "package" -> new Rule.Package(dec(r, "package_size"), dec(r, "package_price"), dec(r, "free_units"));
            case "percentage" -> new Rule.Percentage(dec(r, "percent"), dec(r, "fixed_fee"), dec(r, "min_per_event"), dec(r, "max_per_event"));
            case "matrix" -> {
                List<String> dims = new ArrayList<>();
                for (JsonNode d : r.get("dimensions")) dims.add(d.asString());
                List<Rule.MatrixEntry> prices = new ArrayList<>();
                for (JsonNode p : r.get("prices")) {
                    Map<String, String> match = new LinkedHashMap<>();
                    p.get("match").properties().forEach(e -> match.put(e.getKey(), e.getValue().asString()));
                    prices.add(new Rule.MatrixEntry(match, dec(p, "unit_price")));
                }
                yield new Rule.Matrix(dims, prices, dec(r, "default_unit_price"));
            }
            case "discount" -> new Rule.Discount(dec(r, "percent_off"));
            case "entitlement" -> new Rule.Entitlement(dec(r, "limit"));
            default -> throw new IllegalArgumentException("unknown model " + r.get("model"));
        };
    }

    static List<Tier> tiers(JsonNode r) {
        List<Tier> tiers = new ArrayList<>();
        for (JsonNode t : r.get("tiers")) tiers.add(new Tier(dec(t, "up_to"), dec(t, "unit_price"), dec(t, "flat_fee")));
        return tiers;
    }

    static BigDecimal dec(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isString()) throw new IllegalArgumentException(field + " must be a quoted decimal, got " + v);
        return new BigDecimal(v.asString());
    }
}
