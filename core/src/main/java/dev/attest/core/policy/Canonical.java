package dev.attest.core.policy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical text of a registry that its digest hashes. Deterministic: policies by id, versions by
 * number, matrix match keys sorted, decimals without trailing zeros (1.0 and 1 are the same price),
 * instants in ISO-8601 UTC, strings quoted. The policy's source path is left out: moving a file does
 * not change what the policies say.
 */
final class Canonical {
    private Canonical() {}

    /** {@code policies} must already be sorted by policy id (the registry keeps them so). */
    static String render(List<Policy> policies) {
        StringBuilder sb = new StringBuilder(256 * policies.size());
        sb.append("attest-policies v1\n");
        for (Policy p : policies) {
            sb.append("policy ").append(quote(p.policyId()))
                    .append(" kind=").append(p.kind().wire())
                    .append(" meter=").append(quote(p.meter()))
                    .append(" customer=").append(quote(p.customerId()))
                    .append(" currency=").append(quote(p.currency()))
                    .append('\n');
            for (PolicyVersion v : p.versions()) { // Policy keeps versions ascending
                sb.append("  version ").append(v.version())
                        .append(" valid_from=").append(instant(v.validFrom()))
                        .append(" valid_to=").append(instant(v.validTo()))
                        .append(" recorded_at=").append(instant(v.recordedAt()))
                        .append(" change_ref=").append(quote(v.changeRef()))
                        .append(" author=").append(quote(v.author()))
                        .append(" rounding=").append(v.rounding() == null ? "null" : v.rounding().scale() + "/" + v.rounding().wireMode())
                        .append("\n    rule ");
                rule(sb, v.rule());
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static void rule(StringBuilder sb, Rule rule) {
        sb.append(rule.model());
        // Java 17: no pattern switch; the sealed interface keeps this list complete.
        if (rule instanceof Rule.Unit u) {
            field(sb, "unit_price", u.unitPrice());
        } else if (rule instanceof Rule.Graduated g) {
            tiers(sb, g.tiers());
        } else if (rule instanceof Rule.Volume v) {
            tiers(sb, v.tiers());
        } else if (rule instanceof Rule.Package p) {
            field(sb, "package_size", p.packageSize());
            field(sb, "package_price", p.packagePrice());
            field(sb, "free_units", p.freeUnits());
        } else if (rule instanceof Rule.Percentage p) {
            field(sb, "percent", p.percent());
            field(sb, "fixed_fee", p.fixedFee());
            field(sb, "min_per_event", p.minPerEvent());
            field(sb, "max_per_event", p.maxPerEvent());
        } else if (rule instanceof Rule.Matrix m) {
            sb.append(" dimensions=[");
            for (int i = 0; i < m.dimensions().size(); i++) sb.append(i == 0 ? "" : ",").append(quote(m.dimensions().get(i)));
            sb.append(']');
            for (Rule.MatrixEntry e : m.prices()) {
                sb.append(" {match={");
                boolean first = true;
                for (Map.Entry<String, String> kv : new TreeMap<>(e.match()).entrySet()) {
                    sb.append(first ? "" : ",").append(quote(kv.getKey())).append(':').append(quote(kv.getValue()));
                    first = false;
                }
                sb.append('}');
                field(sb, "unit_price", e.unitPrice());
                sb.append('}');
            }
            field(sb, "default_unit_price", m.defaultUnitPrice());
        } else if (rule instanceof Rule.Discount d) {
            field(sb, "percent_off", d.percentOff());
        } else if (rule instanceof Rule.Entitlement e) {
            field(sb, "limit", e.limit());
        } else if (rule instanceof Rule.Threshold t) {
            field(sb, "amount", t.amount());
        } else {
            throw new IllegalStateException("unknown rule " + rule.model());
        }
    }

    private static void tiers(StringBuilder sb, List<Tier> tiers) {
        for (Tier t : tiers) {
            sb.append(" {");
            field(sb, "up_to", t.upTo());
            field(sb, "unit_price", t.unitPrice());
            field(sb, "flat_fee", t.flatFee());
            sb.append(" }");
        }
    }

    private static void field(StringBuilder sb, String name, BigDecimal value) {
        sb.append(' ').append(name).append('=').append(decimal(value));
    }

    static String decimal(BigDecimal d) {
        return d == null ? "null" : d.stripTrailingZeros().toPlainString();
    }

    private static String instant(Instant t) {
        return t == null ? "null" : t.toString();
    }

    /** JSON-style quoting, so that no value can be mistaken for a separator. */
    private static String quote(String s) {
        if (s == null) return "null";
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) q.append(String.format("\\u%04x", (int) c));
                    else q.append(c);
                }
            }
        }
        return q.append('"').toString();
    }
}
