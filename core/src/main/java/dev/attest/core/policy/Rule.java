package dev.attest.core.policy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A version's rule, by model (contracts section 4). Constructors validate, so a malformed rule
 * can never reach rating: load-time rejection is the registry loader's job, with file and policy named.
 */
public sealed interface Rule {
    /** The policy kind this rule belongs to. */
    PolicyKind kind();

    /** The model name as written in policy files ({@code rule.model}). */
    String model();

    record Unit(BigDecimal unitPrice) implements Rule {
        public Unit { require(unitPrice, "unit_price"); }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "unit"; }
    }

    record Graduated(List<Tier> tiers) implements Rule {
        public Graduated { tiers = Tiers.validate(tiers); }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "graduated"; }
    }

    record Volume(List<Tier> tiers) implements Rule {
        public Volume { tiers = Tiers.validate(tiers); }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "volume"; }
    }

    record Package(BigDecimal packageSize, BigDecimal packagePrice, BigDecimal freeUnits) implements Rule {
        public Package {
            require(packageSize, "package_size");
            require(packagePrice, "package_price");
            if (packageSize.signum() <= 0) throw new IllegalArgumentException("package_size must be > 0");
            if (freeUnits == null) freeUnits = BigDecimal.ZERO;
            if (freeUnits.signum() < 0) throw new IllegalArgumentException("free_units must be >= 0");
        }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "package"; }
    }

    /** min/max/fixedFee are null when not set. */
    record Percentage(BigDecimal percent, BigDecimal fixedFee, BigDecimal minPerEvent, BigDecimal maxPerEvent) implements Rule {
        public Percentage {
            require(percent, "percent");
            if (minPerEvent != null && maxPerEvent != null && minPerEvent.compareTo(maxPerEvent) > 0)
                throw new IllegalArgumentException("min_per_event " + minPerEvent + " > max_per_event " + maxPerEvent);
        }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "percentage"; }
    }

    record MatrixEntry(Map<String, String> match, BigDecimal unitPrice) {
        public MatrixEntry {
            if (match == null) throw new IllegalArgumentException("matrix entry needs match");
            match = Map.copyOf(match);
            require(unitPrice, "unit_price");
        }
    }

    /** defaultUnitPrice is null when not set. */
    record Matrix(List<String> dimensions, List<MatrixEntry> prices, BigDecimal defaultUnitPrice) implements Rule {
        public Matrix {
            dimensions = dimensions == null ? List.of() : List.copyOf(dimensions);
            if (prices == null) throw new IllegalArgumentException("matrix needs prices");
            prices = List.copyOf(prices);
        }
        public PolicyKind kind() { return PolicyKind.PRICE; }
        public String model() { return "matrix"; }
    }

    record Discount(BigDecimal percentOff) implements Rule {
        public Discount {
            require(percentOff, "percent_off");
            if (percentOff.signum() < 0 || percentOff.compareTo(BigDecimal.valueOf(100)) > 0)
                throw new IllegalArgumentException("percent_off must be within [0, 100], got " + percentOff);
        }
        public PolicyKind kind() { return PolicyKind.DISCOUNT; }
        public String model() { return "discount"; }
    }

    record Entitlement(BigDecimal limit) implements Rule {
        public Entitlement {
            require(limit, "limit");
            if (limit.signum() < 0) throw new IllegalArgumentException("limit must be >= 0");
        }
        public PolicyKind kind() { return PolicyKind.ENTITLEMENT; }
        public String model() { return "entitlement"; }
    }

    /** Reserved for spend alerts: loaded and validated, never rated. */
    record Threshold(BigDecimal amount) implements Rule {
        public Threshold { require(amount, "amount"); }
        public PolicyKind kind() { return PolicyKind.THRESHOLD; }
        public String model() { return "threshold"; }
    }

    private static void require(Object value, String field) {
        if (value == null) throw new IllegalArgumentException(field + " is required");
    }

    /** Tier-list invariants shared by graduated and volume. */
    final class Tiers {
        private Tiers() {}

        static List<Tier> validate(List<Tier> tiers) {
            if (tiers == null || tiers.isEmpty()) throw new IllegalArgumentException("tiers must not be empty");
            BigDecimal previous = BigDecimal.ZERO;
            for (int i = 0; i < tiers.size(); i++) {
                Tier t = tiers.get(i);
                boolean last = i == tiers.size() - 1;
                if (t.unbounded() && !last) throw new IllegalArgumentException("only the last tier may have up_to: null (tier " + (i + 1) + ")");
                if (last && !t.unbounded()) throw new IllegalArgumentException("the tier list must end with an unbounded tier (up_to: null)");
                if (!t.unbounded() && t.upTo().compareTo(previous) <= 0)
                    throw new IllegalArgumentException("tier up_to must increase: tier " + (i + 1) + " up_to " + t.upTo() + " <= " + previous);
                if (!t.unbounded()) previous = t.upTo();
            }
            return List.copyOf(tiers);
        }
    }
}
