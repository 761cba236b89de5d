package dev.attest.core.policy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Small builders for policies in tests: defaults everywhere a test does not care. */
public final class Policies {
    public static final Instant JAN_2026 = Instant.parse("2026-01-01T00:00:00Z");
    public static final Instant DEC_2025 = Instant.parse("2025-12-01T00:00:00Z");

    private Policies() {}

    public static PolicyVersion version(String policyId, int version, Instant validFrom, Instant validTo, Instant recordedAt, Rule rule) {
        return new PolicyVersion(policyId, version, validFrom, validTo, recordedAt, rule, null, "CHG-" + policyId + "-" + version, "test");
    }

    /** One open-ended version valid from January 2026, recorded in December 2025. */
    public static PolicyVersion version(String policyId, int version, Rule rule) {
        return version(policyId, version, JAN_2026, null, DEC_2025, rule);
    }

    public static Policy policy(String id, PolicyKind kind, String meter, String customerId, PolicyVersion... versions) {
        return new Policy(id, kind, meter, customerId, kind == PolicyKind.PRICE || kind == PolicyKind.THRESHOLD ? "EUR" : null,
                List.of(versions), id + ".yaml");
    }

    public static Policy price(String id, String meter, String customerId, Rule rule) {
        return policy(id, PolicyKind.PRICE, meter, customerId, version(id, 1, rule));
    }

    public static Rule.Unit unit(String price) {
        return new Rule.Unit(new BigDecimal(price));
    }

    /** Tiers as alternating up_to, unit_price pairs; the last up_to must be null. */
    public static List<Tier> tiers(String... upToAndPrice) {
        List<Tier> tiers = new ArrayList<>();
        for (int i = 0; i < upToAndPrice.length; i += 2)
            tiers.add(new Tier(upToAndPrice[i] == null ? null : new BigDecimal(upToAndPrice[i]), new BigDecimal(upToAndPrice[i + 1]), null));
        return tiers;
    }
}
