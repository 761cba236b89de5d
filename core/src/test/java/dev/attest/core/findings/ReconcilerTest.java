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
    void onceThePeriodHasClosedTheAmountIsFinalAndNotCalledProvisional() {
        ExpectedEvent closed = rated(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(check(closed, charged("100"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(FindingCode.AMOUNT_MISMATCH);
            assertThat(f.explanation()).doesNotContain("provisional");
        });
    }
}
