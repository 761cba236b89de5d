package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The fold's real invariant for unit and graduated pricing: usage split into several consecutive events
 * costs what it costs as one event (tier overlaps add up, and each tier's flat fee is paid exactly once,
 * by the piece that enters it). Decimals are kept to 3 places so the default 9-place rounding is exact.
 */
class SplitInvariancePropertyTest {
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Test
    void splittingAnEventKeepsTheTotal() {
        qt().withExamples(300).withFixedSeed(20261204L).forAll(rules(), quantity(), pieces()).checkAssert((rule, earlier, pieces) -> {
            PeriodRater rater = new PeriodRater(new PolicyRegistry(List.of(Policies.price("p", "m", null, rule))), Instant.parse("2027-01-01T00:00:00Z"));
            BigDecimal whole = pieces.stream().reduce(BigDecimal.ZERO, BigDecimal::add);

            BigDecimal asOne = total(rater.rate(List.of(event(0, earlier), event(1, whole))));
            List<RatingEvent> split = new ArrayList<>(List.of(event(0, earlier)));
            for (int i = 0; i < pieces.size(); i++) split.add(event(1 + i, pieces.get(i)));
            BigDecimal asPieces = total(rater.rate(split));

            assertThat(asPieces).as("%s: %s split into %s after %s", rule, whole, pieces, earlier).isEqualByComparingTo(asOne);
        });
    }

    /** What the events after the first (the usage under test) cost, as-corrected; both views agree here. */
    private static BigDecimal total(List<ExpectedEvent> rated) {
        BigDecimal sum = BigDecimal.ZERO;
        for (ExpectedEvent e : rated.subList(1, rated.size())) {
            assertThat(e.asKnown()).isEqualTo(e.asCorrected());
            assertThat(e.asCorrected().status()).isEqualTo(RatingStatus.RATED);
            sum = sum.add(e.asCorrected().amount());
        }
        return sum;
    }

    private static RatingEvent event(int i, BigDecimal quantity) {
        String id = "e" + (1000 + i);
        return new RatingEvent(id, "c", "m", quantity, START.plusSeconds(i), null, null, Map.of());
    }

    private static Gen<Rule> rules() {
        Gen<Rule> unit = decimal(0, 100).map(Rule.Unit::new);
        Gen<Rule> graduated = lists().of(decimal(1, 50)).ofSizeBetween(0, 4)
                .zip(lists().of(decimal(0, 20)).ofSize(5), lists().of(decimal(0, 5)).ofSize(5), (widths, prices, fees) -> {
                    List<Tier> tiers = new ArrayList<>();
                    BigDecimal upTo = BigDecimal.ZERO;
                    for (int i = 0; i <= widths.size(); i++) {
                        boolean last = i == widths.size();
                        if (!last) upTo = upTo.add(widths.get(i).max(new BigDecimal("0.001")));
                        tiers.add(new Tier(last ? null : upTo, prices.get(i), fees.get(i)));
                    }
                    return new Rule.Graduated(tiers);
                });
        return unit.mix(graduated);
    }

    private static Gen<BigDecimal> quantity() {
        return integers().between(0, 4).zip(decimal(0, 120), (k, d) -> k == 0 ? BigDecimal.ZERO : d);
    }

    private static Gen<List<BigDecimal>> pieces() {
        Gen<BigDecimal> small = integers().between(0, 2).map(k -> k == 0 ? BigDecimal.ZERO : k == 1 ? BigDecimal.ONE : BigDecimal.TEN);
        return lists().of(decimal(0, 60).mix(small)).ofSizeBetween(1, 8);
    }

    /** Decimals of scale 3 in [min, max]. */
    private static Gen<BigDecimal> decimal(int min, int max) {
        return longs().between(min * 1000L, max * 1000L).map(l -> BigDecimal.valueOf(l, 3));
    }
}
