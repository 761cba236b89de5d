package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The fold's seam (architecture, "one seam"): a period rated in two parts, the second from the state the first left at
 * the split instant, gives the second part's events exactly the expectations of rating the whole period at once, in
 * both knowledge views: graduated, volume and package pricing, entitlement quotas, and a correction recorded after
 * some decisions (so that the views differ).
 */
class CarriedStatePropertyTest {
    static final Instant MONTH = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant CUTOFF = Instant.parse("2026-12-05T00:00:00Z");
    static final Instant CORRECTION = Instant.parse("2026-11-15T00:00:00Z");

    record Ev(long second, int quantity, int decidedAfter) {}

    @Test
    void ratingInTwoPartsFromTheCarriedStateEqualsRatingAtOnce() {
        qt().withExamples(400).withFixedSeed(11L).forAll(rules(), integers().between(0, 40), events(), longs().between(0, 30L * 86400))
                .checkAssert((price, quota, evs, split) -> {
                    List<Policy> policies = new ArrayList<>();
                    // v1 from the start; v2 (a correction of the same valid time) recorded mid-month: decisions before it
                    // knew v1, the cut-off knows v2.
                    policies.add(Policies.policy("p", PolicyKind.PRICE, "m", null,
                            Policies.version("p", 1, MONTH, null, Policies.DEC_2025, price),
                            Policies.version("p", 2, MONTH, null, CORRECTION, scaled(price))));
                    if (quota > 0) policies.add(Policies.policy("q", PolicyKind.ENTITLEMENT, "m", null,
                            Policies.version("q", 1, new Rule.Entitlement(BigDecimal.valueOf(quota * 3L)))));
                    PeriodRater rater = new PeriodRater(new PolicyRegistry(policies), CUTOFF, true, BillingCycles.of(
                            Map.of("c", BillingCycle.parse(1, "Asia/Tokyo"))));
                    List<RatingEvent> all = new ArrayList<>();
                    for (int i = 0; i < evs.size(); i++) {
                        Ev e = evs.get(i);
                        Instant t = MONTH.minusSeconds(9 * 3600).plusSeconds(e.second()); // Tokyo's November period
                        Instant known = e.decidedAfter() < 0 ? null : t.plusSeconds(e.decidedAfter() * 3600L);
                        all.add(new RatingEvent("e" + (1000 + i), "c", "m", BigDecimal.valueOf(e.quantity()), t, known, null, Map.of()));
                    }
                    all.sort(Comparator.comparing(RatingEvent::eventTime).thenComparing(RatingEvent::eventId, PeriodRater::compareEventIds));
                    Instant at = MONTH.minusSeconds(9 * 3600).plusSeconds(split);
                    List<RatingEvent> before = all.stream().filter(e -> e.eventTime().isBefore(at)).toList();
                    List<RatingEvent> after = all.stream().filter(e -> !e.eventTime().isBefore(at)).toList();

                    List<ExpectedEvent> whole = rater.rate(all);
                    PeriodState carried = rater.rate(before, PeriodState.START, at).state();
                    List<ExpectedEvent> second = rater.rate(after, carried, null).expected();
                    assertThat(second).as("%s quota %s split at %s", price, quota, at).containsExactlyElementsOf(whole.subList(before.size(), all.size()));
                    // The snapshot inside one fold is the same state as folding the first part alone.
                    assertThat(rater.rate(all, PeriodState.START, at).state()).isEqualTo(carried);
                });
    }

    private static Rule scaled(Rule r) {
        if (r instanceof Rule.Graduated g) return new Rule.Graduated(g.tiers().stream().map(t -> new Tier(t.upTo(), t.unitPrice().add(BigDecimal.ONE),
                t.flatFee())).toList());
        if (r instanceof Rule.Volume v) return new Rule.Volume(v.tiers().stream().map(t -> new Tier(t.upTo(), t.unitPrice().add(BigDecimal.ONE),
                t.flatFee())).toList());
        if (r instanceof Rule.Package p) return new Rule.Package(p.packageSize(), p.packagePrice().add(BigDecimal.ONE), p.freeUnits());
        return r;
    }

    private static Gen<Rule> rules() {
        Gen<Rule> graduated = integers().between(1, 20).zip(integers().between(1, 9), (w, p) -> (Rule) new Rule.Graduated(List.of(
                new Tier(BigDecimal.valueOf(w), BigDecimal.valueOf(p), BigDecimal.ONE), new Tier(null, BigDecimal.ONE, BigDecimal.valueOf(2)))));
        Gen<Rule> volume = integers().between(1, 30).zip(integers().between(1, 9), (w, p) -> (Rule) new Rule.Volume(List.of(
                new Tier(BigDecimal.valueOf(w), BigDecimal.valueOf(p), BigDecimal.TEN), new Tier(null, BigDecimal.ONE, BigDecimal.valueOf(3)))));
        Gen<Rule> pack = integers().between(1, 10).zip(integers().between(0, 5), (size, free) -> (Rule) new Rule.Package(BigDecimal.valueOf(size),
                BigDecimal.valueOf(7), BigDecimal.valueOf(free)));
        return graduated.mix(volume).mix(pack);
    }

    private static Gen<List<Ev>> events() {
        Gen<Ev> ev = longs().between(0, 30L * 86400 - 1).zip(integers().between(0, 12), integers().between(-1, 400),
                (s, q, d) -> new Ev(s, q, d));
        return lists().of(ev).ofSizeBetween(1, 25);
    }
}
