package dev.attest.core.rating;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.PolicyVersion;
import dev.attest.core.policy.Rounding;
import dev.attest.core.policy.Rule;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rough single-thread throughput check of the fold, not part of the test suite (no *Test name):
 * {@code java -cp core/target/classes:core/target/test-classes dev.attest.core.rating.RatingThroughput [events]}.
 */
public final class RatingThroughput {
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant CUTOFF = Instant.parse("2026-12-10T00:00:00Z");

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int perPartition = 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (String scenario : List.of("unit", "graduated", "graduated+correction")) {
            PeriodRater rater = new PeriodRater(registry(scenario), CUTOFF);
            List<List<RatingEvent>> partitions = partitions(events, perPartition);
            double best = Double.MAX_VALUE;
            long shared = 0;
            for (int round = 0; round < rounds; round++) { // best of several: the machine is shared
                long t0 = System.nanoTime();
                shared = 0;
                for (List<RatingEvent> p : partitions)
                    for (ExpectedEvent e : rater.rate(p)) if (e.asKnown() == e.asCorrected()) shared++;
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("%-22s %,d events, best of %d: %.2f s = %,.0f events/s (both views; %,d computed once)%n",
                    scenario, events, rounds, best, events / best, shared);
        }
    }

    static PolicyRegistry registry(String scenario) {
        Rule rule = scenario.startsWith("unit") ? new Rule.Unit(new BigDecimal("0.0025"))
                : new Rule.Graduated(Policies.tiers("100", "0.01", "1000", "0.008", "10000", "0.005", null, "0.002"));
        Rounding r2 = new Rounding(2, java.math.RoundingMode.HALF_EVEN);
        List<PolicyVersion> versions = new ArrayList<>();
        versions.add(new PolicyVersion("price", 1, Policies.JAN_2026, Instant.parse("2026-11-15T00:00:00Z"), Policies.DEC_2025, rule, r2, "C1", "a"));
        versions.add(new PolicyVersion("price", 2, Instant.parse("2026-11-15T00:00:00Z"), null, Policies.DEC_2025, rule, r2, "C2", "a"));
        if (scenario.endsWith("correction")) // recorded after most decisions: the two views differ
            versions.add(new PolicyVersion("price", 3, Policies.JAN_2026, null, Instant.parse("2026-11-28T00:00:00Z"), rule, r2, "C3", "a"));
        return new PolicyRegistry(List.of(
                new Policy("price", PolicyKind.PRICE, "api_calls", null, "EUR", versions, "bench"),
                Policies.policy("quota", PolicyKind.ENTITLEMENT, "api_calls", null, Policies.version("quota", 1, new Rule.Entitlement(new BigDecimal("1000000")))),
                Policies.policy("promo", PolicyKind.DISCOUNT, "api_calls", null, Policies.version("promo", 1, new Rule.Discount(BigDecimal.TEN)))));
    }

    static List<List<RatingEvent>> partitions(int events, int perPartition) {
        List<List<RatingEvent>> out = new ArrayList<>();
        long spacing = 29L * 24 * 3600 / perPartition;
        for (int p = 0; p * perPartition < events; p++) {
            List<RatingEvent> list = new ArrayList<>(perPartition);
            String customer = "cust-" + p;
            for (int i = 0; i < perPartition && p * perPartition + i < events; i++) {
                Instant t = NOV.plusSeconds(i * spacing);
                list.add(new RatingEvent("e-" + p + "-" + (100000 + i), customer, "api_calls", BigDecimal.valueOf(1 + (i % 17)), t,
                        t.plusSeconds(2), null, Map.of()));
            }
            out.add(list);
        }
        return out;
    }
}
