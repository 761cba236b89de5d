package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.policy.Tier;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The fold's real invariant for unit and graduated pricing: usage split into several consecutive events
 * costs what it costs as one event (tier overlaps add up, and each tier's flat fee is paid exactly once,
 * by the piece that enters it). Decimals are kept to 3 places so the default 9-place rounding is exact.
 */
class SplitInvariancePropertyTest {
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    @Property(tries = 300)
    void splittingAnEventKeepsTheTotal(@ForAll("rules") Rule rule, @ForAll("quantity") BigDecimal earlier,
                                       @ForAll("pieces") List<BigDecimal> pieces) {
        PeriodRater rater = new PeriodRater(new PolicyRegistry(List.of(Policies.price("p", "m", null, rule))), Instant.parse("2027-01-01T00:00:00Z"));
        BigDecimal whole = pieces.stream().reduce(BigDecimal.ZERO, BigDecimal::add);

        BigDecimal asOne = total(rater.rate(List.of(event(0, earlier), event(1, whole))));
        List<RatingEvent> split = new ArrayList<>(List.of(event(0, earlier)));
        for (int i = 0; i < pieces.size(); i++) split.add(event(1 + i, pieces.get(i)));
        BigDecimal asPieces = total(rater.rate(split));

        assertThat(asPieces).as("%s: %s split into %s after %s", rule, whole, pieces, earlier).isEqualByComparingTo(asOne);
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

    @Provide
    Arbitrary<Rule> rules() {
        Arbitrary<Rule> unit = decimal(0, 100).map(Rule.Unit::new);
        Arbitrary<Rule> graduated = Combinators.combine(decimal(1, 50).list().ofMinSize(0).ofMaxSize(4), decimal(0, 20).list().ofSize(5),
                decimal(0, 5).list().ofSize(5)).as((widths, prices, fees) -> {
            List<Tier> tiers = new ArrayList<>();
            BigDecimal upTo = BigDecimal.ZERO;
            for (int i = 0; i <= widths.size(); i++) {
                boolean last = i == widths.size();
                if (!last) upTo = upTo.add(widths.get(i).max(new BigDecimal("0.001")));
                tiers.add(new Tier(last ? null : upTo, prices.get(i), fees.get(i)));
            }
            return new Rule.Graduated(tiers);
        });
        return Arbitraries.oneOf(unit, graduated);
    }

    @Provide
    Arbitrary<BigDecimal> quantity() {
        return Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO), decimal(0, 120));
    }

    @Provide
    Arbitrary<List<BigDecimal>> pieces() {
        return Arbitraries.oneOf(decimal(0, 60), Arbitraries.of(BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.TEN)).list().ofMinSize(1).ofMaxSize(8);
    }

    private static Arbitrary<BigDecimal> decimal(int min, int max) {
        return Arbitraries.bigDecimals().between(BigDecimal.valueOf(min), BigDecimal.valueOf(max)).ofScale(3);
    }
}
