package dev.attest.generator;

import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One policy as the YAML file people keep in git (contracts section 2): header, then {@code versions}.
 * Written by hand so that the text is stable and diffable: instants ISO-8601 UTC, decimals as quoted
 * strings (never floats), keys in a fixed order.
 */
final class PolicyYaml {
    private PolicyYaml() {}

    static String render(Policy p) {
        StringBuilder y = new StringBuilder(512);
        y.append("policy_id: ").append(p.policyId()).append('\n');
        y.append("kind: ").append(p.kind().wire()).append('\n');
        y.append("meter: ").append(p.meter()).append('\n');
        if (p.customerId() != null) y.append("customer_id: ").append(p.customerId()).append('\n');
        if (p.currency() != null) y.append("currency: ").append(p.currency()).append('\n');
        y.append("versions:\n");
        for (PolicyVersion v : p.versions()) {
            y.append("  - version: ").append(v.version()).append('\n');
            y.append("    valid_from: ").append(instant(v.validFrom())).append('\n');
            y.append("    valid_to: ").append(instant(v.validTo())).append('\n');
            y.append("    recorded_at: ").append(instant(v.recordedAt())).append('\n');
            y.append("    rule:\n");
            rule(y, v.rule());
            if (v.rounding() != null)
                y.append("    rounding: {scale: ").append(v.rounding().scale()).append(", mode: ").append(v.rounding().wireMode()).append("}\n");
            y.append("    change_ref: ").append(v.changeRef() == null ? "null" : v.changeRef()).append('\n');
            y.append("    author: ").append(v.author() == null ? "null" : v.author()).append('\n');
        }
        return y.toString();
    }

    private static void rule(StringBuilder y, Rule rule) {
        String in = "      ";
        y.append(in).append("model: ").append(rule.model()).append('\n');
        if (rule instanceof Rule.Unit u) {
            field(y, in, "unit_price", u.unitPrice());
        } else if (rule instanceof Rule.Graduated g) {
            tiers(y, in, g.tiers());
        } else if (rule instanceof Rule.Volume v) {
            tiers(y, in, v.tiers());
        } else if (rule instanceof Rule.Package pk) {
            field(y, in, "package_size", pk.packageSize());
            field(y, in, "package_price", pk.packagePrice());
            if (pk.freeUnits().signum() != 0) field(y, in, "free_units", pk.freeUnits());
        } else if (rule instanceof Rule.Percentage pc) {
            field(y, in, "percent", pc.percent());
            field(y, in, "fixed_fee", pc.fixedFee());
            field(y, in, "min_per_event", pc.minPerEvent());
            field(y, in, "max_per_event", pc.maxPerEvent());
        } else if (rule instanceof Rule.Matrix m) {
            y.append(in).append("dimensions: [").append(String.join(", ", m.dimensions())).append("]\n");
            y.append(in).append("prices:\n");
            for (Rule.MatrixEntry e : m.prices()) {
                y.append(in).append("  - match: {");
                boolean first = true;
                for (Map.Entry<String, String> kv : order(m.dimensions(), e.match())) {
                    y.append(first ? "" : ", ").append(kv.getKey()).append(": ").append(kv.getValue());
                    first = false;
                }
                y.append("}\n");
                field(y, in + "    ", "unit_price", e.unitPrice());
            }
            field(y, in, "default_unit_price", m.defaultUnitPrice());
        } else if (rule instanceof Rule.Discount d) {
            field(y, in, "percent_off", d.percentOff());
        } else if (rule instanceof Rule.Entitlement e) {
            field(y, in, "limit", e.limit());
        } else if (rule instanceof Rule.Threshold t) {
            field(y, in, "amount", t.amount());
        } else {
            throw new IllegalArgumentException("unknown rule " + rule.model());
        }
    }

    /** Match keys in the rule's dimension order, then any others sorted: the same text every run. */
    private static Iterable<Map.Entry<String, String>> order(List<String> dimensions, Map<String, String> match) {
        TreeMap<String, String> rest = new TreeMap<>(match);
        java.util.List<Map.Entry<String, String>> out = new java.util.ArrayList<>();
        for (String d : dimensions) if (rest.containsKey(d)) out.add(Map.entry(d, rest.remove(d)));
        out.addAll(rest.entrySet());
        return out;
    }

    private static void tiers(StringBuilder y, String in, List<Tier> tiers) {
        y.append(in).append("tiers:\n");
        for (Tier t : tiers) {
            y.append(in).append("  - up_to: ").append(t.upTo() == null ? "null" : quote(t.upTo())).append('\n');
            field(y, in + "    ", "unit_price", t.unitPrice());
            if (t.flatFee().signum() != 0) field(y, in + "    ", "flat_fee", t.flatFee());
        }
    }

    private static void field(StringBuilder y, String in, String name, BigDecimal value) {
        if (value == null) return;
        y.append(in).append(name).append(": ").append(quote(value)).append('\n');
    }

    private static String quote(BigDecimal d) {
        return "\"" + d.toPlainString() + "\"";
    }

    private static String instant(Instant t) {
        return t == null ? "null" : "\"" + t + "\"";
    }
}
