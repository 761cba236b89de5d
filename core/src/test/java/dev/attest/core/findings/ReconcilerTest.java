package dev.attest.core.findings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.PolicyRegistry;
import dev.attest.core.policy.Rule;
import dev.attest.core.rating.ExpectedEvent;
import dev.attest.core.rating.Outcome;
import dev.attest.core.rating.PeriodRater;
import dev.attest.core.rating.RatingEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    static final Instant NOV_2 = Instant.parse("2026-11-02T00:00:00Z");
    static final PolicyRegistry VOLUME = new PolicyRegistry(List.of(Policies.price("vol", "m", null,
            new Rule.Volume(Policies.tiers("100", "2", null, "1")))));

    static ExpectedEvent rated(Instant cutoff) {
        RatingEvent e = new RatingEvent("e1", "c", "m", new BigDecimal("60"), NOV_2, NOV_2.plusSeconds(1), null, Map.of());
        return new PeriodRater(VOLUME, cutoff).rate(List.of(e)).get(0);
    }

    static DecisionRecord charged(String amount) {
        return new DecisionRecord("d1", "e1", "c", "m", Outcome.CHARGED, new BigDecimal(amount), "EUR", "vol", 1, null, null, null,
                null, NOV_2.plusSeconds(1), "inv");
    }

    static List<Finding> check(ExpectedEvent e, DecisionRecord d) {
        List<Finding> out = new ArrayList<>();
        Reconciler r = new Reconciler(VOLUME, new Reconciler.Params(BigDecimal.ZERO, null));
        r.checkEvent(e, d == null ? 0 : 1, out::add);
        if (d != null) r.checkDecision(e, d, out::add);
        return out;
    }

    @Test
    void findingsQuotingAVolumeAmountOfAnOpenPeriodSayItIsProvisional() {
        ExpectedEvent open = rated(Instant.parse("2026-11-20T00:00:00Z")); // November still open: 60 x 2 = 120, provisional
        assertThat(check(open, charged("100"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.AMOUNT_MISMATCH);
            assertThat(f.explanation()).contains("provisional");
        });
        assertThat(check(open, charged("120.004"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.ROUNDING_DIFFERENCE);
            assertThat(f.explanation()).contains("provisional");
        });
        assertThat(check(open, null)).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.MISSING_DECISION);
            assertThat(f.explanation()).contains("provisional");
        });
    }

    @Test
    void aRetroactiveCorrectionsDifferenceIsActualMinusExpectedLikeEveryOtherFinding() {
        // v1 (2.00 a unit) was known when e1 was decided; v2 (1.50), recorded a week later, corrects it from the start.
        Instant recorded = NOV_2.plusSeconds(7 * 86_400);
        PolicyRegistry corrected = new PolicyRegistry(List.of(Policies.policy("p", dev.attest.core.policy.PolicyKind.PRICE, "m", null,
                Policies.version("p", 1, Policies.JAN_2026, null, Policies.DEC_2025, Policies.unit("2.00")),
                Policies.version("p", 2, Policies.JAN_2026, null, recorded, Policies.unit("1.50")))));
        RatingEvent e = new RatingEvent("e1", "c", "m", BigDecimal.TEN, NOV_2, NOV_2.plusSeconds(1), null, Map.of());
        ExpectedEvent x = new PeriodRater(corrected, Instant.parse("2026-12-01T00:00:00Z")).rate(List.of(e)).get(0);
        List<Finding> out = new ArrayList<>();
        new Reconciler(corrected, new Reconciler.Params(BigDecimal.ZERO, null)).checkEvent(x, 1, out::add);
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.RETROACTIVE_CORRECTION);
            // expected = as corrected (15.00), actual = as known, what the books say (20.00): overcharged by 5.
            assertThat(f.expectedAmount()).isEqualByComparingTo("15");
            assertThat(f.actualAmount()).isEqualByComparingTo("20");
            assertThat(f.difference()).isEqualByComparingTo("5");
        });
    }

    @Test
    void onceThePeriodHasClosedTheAmountIsFinalAndNotCalledProvisional() {
        ExpectedEvent closed = rated(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(check(closed, charged("100"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.AMOUNT_MISMATCH);
            assertThat(f.explanation()).doesNotContain("provisional");
        });
    }
}
