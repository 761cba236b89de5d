package dev.attest.core.rating;

import static dev.attest.core.policy.Policies.price;
import static dev.attest.core.policy.Policies.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attest.core.policy.Policies;
import dev.attest.core.policy.Policy;
import dev.attest.core.policy.PolicyKind;
import dev.attest.core.policy.PolicyRegistry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeriodRaterTest {
    static final Instant CUTOFF = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant NOV_2 = Instant.parse("2026-11-02T00:00:00Z");

    final PeriodRater rater = new PeriodRater(new PolicyRegistry(List.of(price("p", "m", null, unit("2")))), CUTOFF);

    static RatingEvent event(String id, String customer, Instant t, Instant knownAt) {
        return new RatingEvent(id, customer, "m", BigDecimal.ONE, t, knownAt, null, Map.of());
    }

    @Test
    void anEmptyPartitionRatesToNothing() {
        assertThat(rater.rate(List.of())).isEmpty();
    }

    @Test
    void rejectsPartitionsThatAreNotOneSortedCustomerMeterMonth() {
        assertThatThrownBy(() -> rater.rate(List.of(event("a", "c", NOV_2, null), event("b", "other", NOV_2, null))))
                .hasMessageContaining("one customer and meter");
        assertThatThrownBy(() -> rater.rate(List.of(event("a", "c", NOV_2, null), event("b", "c", Instant.parse("2026-12-01T00:00:00Z"), null))))
                .hasMessageContaining("outside billing period 2026-11");
        assertThatThrownBy(() -> rater.rate(List.of(event("b", "c", NOV_2, null), event("a", "c", NOV_2, null))))
                .hasMessageContaining("not sorted");
        assertThatThrownBy(() -> rater.rate(List.of(event("a", "c", NOV_2.plusSeconds(1), null), event("b", "c", NOV_2, null))))
                .hasMessageContaining("not sorted");
    }

    @Test
    void ordersEventIdsByCodePointAsTheAuditSortsThem() {
        String privateUse = "\uE000", emoji = "\uD83D\uDE00"; // U+E000 < U+1F600, though UTF-16 units order them the other way
        assertThat(rater.rate(List.of(event(privateUse, "c", NOV_2, null), event(emoji, "c", NOV_2, null)))).hasSize(2);
        assertThatThrownBy(() -> rater.rate(List.of(event(emoji, "c", NOV_2, null), event(privateUse, "c", NOV_2, null))))
                .hasMessageContaining("not sorted");
    }

    @Test
    void returnsOneExpectedEventPerInputInInputOrder() {
        List<RatingEvent> events = List.of(event("b", "c", NOV_2, null), event("c", "c", NOV_2, null), event("a", "c", NOV_2.plusSeconds(5), null));
        assertThat(rater.rate(events)).extracting(ExpectedEvent::event).containsExactlyElementsOf(events);
    }

    @Test
    void aViewThatSeesTheSameVersionsIsComputedOnceAndShared() {
        Policy corrected = Policies.policy("q", PolicyKind.PRICE, "m", null,
                Policies.version("q", 1, unit("1")),
                Policies.version("q", 2, Policies.JAN_2026, null, Instant.parse("2026-11-20T00:00:00Z"), unit("3")));
        PeriodRater r = new PeriodRater(new PolicyRegistry(List.of(corrected)), CUTOFF);
        List<ExpectedEvent> rated = r.rate(List.of(
                event("before-correction", "c", NOV_2, NOV_2.plusSeconds(1)),
                event("no-decision", "c", NOV_2.plusSeconds(10), null),
                event("after-correction", "c", Instant.parse("2026-11-21T00:00:00Z"), Instant.parse("2026-11-21T00:00:01Z"))));
        assertThat(rated.get(0).asKnown()).isNotEqualTo(rated.get(0).asCorrected());
        assertThat(rated.get(1).asKnown()).isSameAs(rated.get(1).asCorrected());
        assertThat(rated.get(2).asKnown()).isSameAs(rated.get(2).asCorrected());
        assertThat(rated.get(2).asKnown().amount()).isEqualByComparingTo("3");
    }

    @Test
    void theCutOffIsRequired() {
        assertThatThrownBy(() -> new PeriodRater(new PolicyRegistry(List.of()), null)).isInstanceOf(IllegalArgumentException.class);
    }
}
