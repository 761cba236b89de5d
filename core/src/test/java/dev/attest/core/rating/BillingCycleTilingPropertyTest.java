package dev.attest.core.rating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Contracts section 10's period function tiles time, for any anchor and any IANA zone: the period of an instant
 * holds it; the next period starts exactly where this one ends (no gap, no overlap); the period of its own start
 * and of its last microsecond is itself; and it starts on its anchor day (clamped) in its zone.
 */
class BillingCycleTilingPropertyTest {
    private static final List<String> ZONES = new ArrayList<>(ZoneId.getAvailableZoneIds());

    static {
        ZONES.sort(null);
    }

    @Test
    void periodsTileTimeWithNoGapAndNoOverlap() {
        qt().withExamples(20_000).withFixedSeed(10L).forAll(integers().between(1, 31), zones(), instants()).checkAssert((anchor, zone, t) -> {
            BillingCycle c = BillingCycle.parse(anchor, zone);
            BillingPeriod p = c.periodOf(t);
            String what = c + " at " + t;
            assertThat(p.contains(t)).as(what).isTrue();
            BillingPeriod next = c.periodOf(p.end());
            assertThat(next.start()).as(what).isEqualTo(p.end());
            assertThat(next.month()).as(what).isEqualTo(p.month().plusMonths(1));
            assertThat(c.periodOf(p.start())).as(what).isEqualTo(p);
            assertThat(c.periodOf(p.end().minusNanos(1000))).as(what).isEqualTo(p);
            assertThat(c.periodOf(p.start().minusNanos(1000)).end()).as(what).isEqualTo(p.start());
            // It starts on the anchor day (or the month's last), at the first instant of that local day.
            assertThat(p.start().atZone(c.zone()).toLocalDate()).as(what).isEqualTo(p.startDate());
            assertThat(p.start().minusNanos(1000).atZone(c.zone()).toLocalDate()).as(what).isBefore(p.startDate());
        });
    }

    private static Gen<String> zones() {
        // Zones with midnight DST gaps weigh as much as all the others: they are where the rule is subtle.
        Gen<String> gaps = Generate.pick(List.of("America/Havana", "America/Santiago", "Asia/Beirut", "Africa/Cairo", "Atlantic/Azores",
                "America/Sao_Paulo", "America/Asuncion"));
        return Generate.pick(ZONES).mix(gaps);
    }

    /** Instants between 1970 and 2060, at microsecond precision (the contract's). */
    private static Gen<Instant> instants() {
        return longs().between(0L, 2_871_763_200_000_000L).map(us -> Instant.ofEpochSecond(us / 1_000_000L, (us % 1_000_000L) * 1000L));
    }
}
